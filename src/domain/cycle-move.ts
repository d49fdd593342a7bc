import type { BlackoutOverride } from './audit/calendar.js';
import { blackoutEffect, covers, describeBlackout, type BlackoutWindow } from './calendar.js';
import type { ProcessTemplate } from './template/schema.js';

/** An open release booked into a cycle that moves, with the template version it runs under. */
export type MovingRelease = {
  id: string;
  name: string;
  type: string;
  channels: readonly string[];
  template: Pick<ProcessTemplate, 'environments'>;
};

/** What the blackout windows on the new date mean for moving a cycle there. */
export type CycleMoveBlackouts = {
  /** The windows that forbid the move without an override: those on the whole cycle and those blocking one of its releases. */
  blocking: BlackoutWindow[];
  /** Per release id, the ids of the windows that block it on the new date (releases no window blocks are absent). */
  concerned: Map<string, string[]>;
  /** The concerned releases whose type may not override a blackout: they forbid the move even with a reason. */
  refused: { name: string; type: string }[];
  /** "2027-01-09 is in the blackout …": the blocking windows in words; empty when nothing blocks. */
  what: string;
};

/**
 * The blackout check of moving a change cycle to `to`. A window on the date
 * without channel or environment blocks the cycle itself; any other window
 * blocks the move when it blocks one of the cycle's open releases there (see
 * blackoutEffect). When something blocks, the move needs an override, and
 * every concerned release must be of a type in `overridableTypes`.
 */
export function cycleMoveBlackouts(input: {
  to: string;
  windows: readonly BlackoutWindow[];
  releases: readonly MovingRelease[];
  overridableTypes: readonly string[];
}): CycleMoveBlackouts {
  const onDate = input.windows.filter((w) => covers(w, input.to));
  const cycleWide = onDate.filter((w) => w.channel === null && w.environment === null);
  const concerned = new Map<string, string[]>();
  for (const r of input.releases) {
    const hit = onDate.filter((w) => blackoutEffect(r.template, w, { plannedDate: input.to, channels: r.channels }) === 'blocks');
    if (hit.length > 0)
      concerned.set(
        r.id,
        hit.map((w) => w.id),
      );
  }
  const blocking = onDate.filter((w) => cycleWide.includes(w) || [...concerned.values()].some((ids) => ids.includes(w.id)));
  const refused =
    blocking.length === 0
      ? []
      : input.releases
          .filter((r) => concerned.has(r.id) && !input.overridableTypes.includes(r.type))
          .map((r) => ({ name: r.name, type: r.type }));
  const what = blocking.length === 0 ? '' : `${input.to} is in the blackout ${blocking.map(describeBlackout).join('; ')}`;
  return { blocking, concerned, refused, what };
}

/**
 * The blackout override a release carries after its cycle moved to `to`: a
 * new one, when windows there block it and the move overrides them; the one
 * it had, when that was recorded for the same date; otherwise none.
 */
export function overrideAfterMove(input: {
  to: string;
  /** The windows blocking the release on `to` (from cycleMoveBlackouts); absent when none. */
  hit: readonly string[] | undefined;
  /** The move's override: its reason (trimmed), who and when; absent when the move overrides nothing. */
  override: { reason: string; by: string; at: string } | undefined;
  existing: BlackoutOverride | null;
}): BlackoutOverride | null {
  if (input.hit && input.override) return { ...input.override, date: input.to, blackouts: [...input.hit] };
  return input.existing?.date === input.to ? input.existing : null;
}
