import { readFileSync } from 'node:fs';
import { expect } from 'vitest';
import { parse as parseYaml, stringify as stringifyYaml } from 'yaml';
import { DEFAULT_TEMPLATE_FILE } from '../../src/config/settings.js';
import type { AuditEventTable, Tables } from '../../src/db/schema.js';
import type { Clock } from '../../src/services/clock.js';
import type { ServiceDeps } from '../../src/services/deps.js';
import type { CreateReleaseInput } from '../../src/services/releases.js';

/** The default process template as shipped (`templates/cms-net.yaml`). */
export const DEFAULT_YAML = readFileSync(DEFAULT_TEMPLATE_FILE, 'utf8');

/** A copy of the default template with `change` applied to its parsed form. */
export function templateYaml(change: (doc: Record<string, any>) => void): string {
  const doc = parseYaml(DEFAULT_YAML) as Record<string, any>;
  change(doc);
  return stringifyYaml(doc);
}

/** Who prepared and who reviewed a template version: every version after the first names both (document control). */
export const REVIEWED = { preparedBy: 'Pat Preparer', reviewedBy: 'Rita Reviewer' } as const;

/** A clock the test moves by hand. */
export type ManualClock = { clock: Clock; now(): Date; set(at: string | Date): void; advance(ms: number): void };

export function manualClock(start: string | Date = '2030-01-07T09:00:00.000Z'): ManualClock {
  let now = new Date(start);
  return {
    clock: () => new Date(now),
    now: () => new Date(now),
    set(at) {
      now = new Date(at);
    },
    advance(ms) {
      now = new Date(now.getTime() + ms);
    },
  };
}

export const HOUR = 3_600_000;
export const DAY = 24 * HOUR;

/**
 * Awaits a promise that must reject, asserts the error's class and returns it
 * typed, so the test can go on to check what the error says.
 */
export async function rejectsWith<E>(promise: Promise<unknown>, type: abstract new (...args: any[]) => E): Promise<E> {
  let outcome: { ok: true; value: unknown } | { ok: false; error: unknown };
  try {
    outcome = { ok: true, value: await promise };
  } catch (error) {
    outcome = { ok: false, error };
  }
  if (outcome.ok) throw new Error(`expected a ${type.name}, but the call succeeded with ${JSON.stringify(outcome.value)}`);
  expect(outcome.error).toBeInstanceOf(type);
  return outcome.error as E;
}

/** A valid release for the default template; override what the test is about. */
export function releaseInput(over: Partial<CreateReleaseInput> = {}): CreateReleaseInput {
  return { type: 'scheduled', plannedDate: '2030-02-02', channels: ['database'], ...over };
}

export async function auditRows(deps: ServiceDeps, afterSeq = 0): Promise<AuditEventTable[]> {
  return deps.database.kysely.selectFrom('audit_events').selectAll().where('seq', '>', afterSeq).orderBy('seq').execute();
}

/** Audit events after `afterSeq`, with before/after parsed back from JSON. */
export async function auditEvents(
  deps: ServiceDeps,
  afterSeq = 0,
): Promise<{ seq: number; action: string; actor: string; subject: string; before: any; after: any; requestId: string | null }[]> {
  return (await auditRows(deps, afterSeq)).map((e) => ({
    seq: e.seq,
    action: e.action,
    actor: e.actor,
    subject: `${e.subject_type}:${e.subject_id}`,
    before: e.before_json === null ? null : JSON.parse(e.before_json),
    after: e.after_json === null ? null : JSON.parse(e.after_json),
    requestId: e.request_id,
  }));
}

/** Sequence number of the newest audit event (0 when there is none). */
export async function lastAuditSeq(deps: ServiceDeps): Promise<number> {
  const row = await deps.database.kysely
    .selectFrom('audit_events')
    .select((eb) => eb.fn.max('seq').as('m'))
    .executeTakeFirst();
  return Number(row?.m ?? 0);
}

export async function rowCount(deps: ServiceDeps, table: keyof Tables): Promise<number> {
  const row = await deps.database.kysely
    .selectFrom(table)
    .select((eb) => eb.fn.countAll().as('n'))
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

/** The `counters` row holding the release sequence of an application. */
export async function releaseCounterScope(deps: ServiceDeps, appKey: string): Promise<string> {
  const app = await deps.database.kysely.selectFrom('applications').select('id').where('key', '=', appKey).executeTakeFirstOrThrow();
  return `release:${app.id}`;
}

export async function counterValue(deps: ServiceDeps, scope: string): Promise<number> {
  const row = await deps.database.kysely.selectFrom('counters').select('value').where('scope', '=', scope).executeTakeFirstOrThrow();
  return Number(row.value);
}

/** Names such as CFIS001…CFIS050 for the default naming. */
export function expectedNames(prefix: string, from: number, to: number, width = 3): string[] {
  const out: string[] = [];
  for (let i = from; i <= to; i++) out.push(`${prefix}${String(i).padStart(width, '0')}`);
  return out;
}
