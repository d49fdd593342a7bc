import type { Weekday } from '../template/schema.js';

/** A release booked into a change cycle, as a cycle's audit events record it. */
export type CycleReleaseAuditView = { name: string; type: string; state: string; title: string; channels: string[] };

/** What a change cycle's audit events record of it (and what the API shows). */
export type CycleAuditView = {
  id: string;
  application: string;
  date: string;
  weekday: Weekday;
  /** Whether the date is one of the template's designated cycle days. */
  designatedDay: boolean;
  status: 'planned' | 'cancelled';
  title: string;
  note: string;
  releases: CycleReleaseAuditView[];
  createdBy: string;
  createdAt: string;
  updatedAt: string;
  version: number;
};

/** What a blackout window's audit events record of it (and what the API shows). */
export type BlackoutAuditView = {
  id: string;
  application: string;
  from: string;
  to: string;
  channel: string | null;
  environment: string | null;
  reason: string;
  /** Whether the window forbids scheduling (`blocks`) or is only shown (`warns`: a non-production environment). */
  effect: 'blocks' | 'warns';
  /** Open releases planned inside the window that it concerns, with whether their override is recorded. */
  releases: { name: string; plannedDate: string; overridden: boolean }[];
  createdBy: string;
  createdAt: string;
};

/** A recorded blackout override, as stored on the release (`releases.blackout_override`). */
export type BlackoutOverride = { reason: string; by: string; at: string; date: string; blackouts: string[] };

/** A blackout override with the windows it overrode, in words (P13). */
export type BlackoutOverrideRecord = {
  date: string;
  reason: string;
  by: string;
  at: string;
  blackouts: { id: string; from: string; to: string; reason: string }[];
  /** "blackout 2026-03-14: year-end freeze overridden by carol at 2026-03-10T09:00:00.000Z: claims are being paid twice". */
  text: string;
};

/** What `release.blackout-override` records after the override. */
export type BlackoutOverrideAuditView = {
  release: string;
  plannedDate: string;
  override: BlackoutOverride;
  blackouts: { id: string; from: string; to: string; reason: string }[];
  version: number;
};

/** Audit events of the calendar area; see catalogue.ts for the shape of an entry. */
export interface CalendarAuditCatalogue {
  'release.book': { subject: 'release'; before: { cycle: null }; after: { cycle: string; plannedDate: string } };
  'release.unbook': { subject: 'release'; before: { cycle: string }; after: { cycle: null; plannedDate: string; reason: string } };
  'release.reschedule': {
    subject: 'release';
    before: { plannedDate: string };
    after: { plannedDate: string; cycle: string; reason: string; blackoutOverride?: BlackoutOverrideRecord | null };
  };
  'release.blackout-override': {
    subject: 'release';
    before: { override: BlackoutOverride | null };
    after: BlackoutOverrideAuditView;
  };
  /** A new cycle, or a cancelled one planned again (then `before` is what it was). */
  'cycle.create': { subject: 'change-cycle'; before?: CycleAuditView; after: CycleAuditView & { booked: string[] } };
  'cycle.move': { subject: 'change-cycle'; before: CycleAuditView; after: CycleAuditView & { reason: string } };
  'cycle.cancel': {
    subject: 'change-cycle';
    before: CycleAuditView;
    after: CycleAuditView & { reason: string; unbooked: string[] };
  };
  'blackout.add': { subject: 'blackout'; after: BlackoutAuditView };
  'blackout.remove': { subject: 'blackout'; before: BlackoutAuditView };
  /** `replaced`: how many earlier feed URLs of the user were revoked. */
  'calendar-feed.create': { subject: 'calendar-feed'; after: { user: string; createdAt: string; replaced: number } };
  'calendar-feed.revoke': { subject: 'calendar-feed'; after: { user: string; revokedAt: string } };
}
