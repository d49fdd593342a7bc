import type { ElementRef } from '../packages-coverage.js';
import type { BlackoutOverrideRecord } from './calendar.js';

/** The change cycle a release is booked into (P2). */
export type ReleaseCycleAuditRef = { date: string; title: string; status: 'planned' | 'cancelled' };

/** Who planned a release on which blackout window(s), when and why (P13). */
export type BlackoutOverrideAuditRecord = BlackoutOverrideRecord;

/** What a release's audit events record of it: the release as its view shows it. */
export type ReleaseAuditView = {
  name: string;
  application: string;
  type: string;
  state: string;
  title: string;
  description: string;
  plannedDate: string;
  channels: string[];
  /** The change cycle it is booked into (P2). */
  cycle: ReleaseCycleAuditRef | null;
  /** Planned on a blackout anyway: by whom, when, why (P13). */
  blackoutOverride: BlackoutOverrideAuditRecord | null;
  template: { key: string; version: number };
  createdBy: string;
  createdAt: string;
  updatedAt: string;
  version: number;
};

/** Checklist tasks a change of channels or dates brought (added) or took away (removed, open ones only). */
export type ChecklistSyncAuditView = { added: string[]; removed: string[] };

/** What a work item's audit events record of it: the item as its view shows it. */
export type WorkItemAuditView = {
  key: string;
  number: number;
  application: string;
  kind: string;
  helpdeskRef: string;
  title: string;
  description: string;
  owner: string | null;
  priority: string;
  elements: ElementRef[];
  release: string | null;
  createdBy: string;
  createdAt: string;
  updatedAt: string;
  version: number;
};

type ItemChange = { subject: 'item'; before: WorkItemAuditView; after: WorkItemAuditView };

/** Audit events of the releases area; see catalogue.ts for the shape of an entry. */
export interface ReleasesAuditCatalogue {
  'release.create': { subject: 'release'; after: ReleaseAuditView };
  /** `checklist` is present when the change added or removed checklist tasks. */
  'release.update': { subject: 'release'; before: ReleaseAuditView; after: ReleaseAuditView & { checklist?: ChecklistSyncAuditView } };
  'item.create': { subject: 'item'; after: WorkItemAuditView };
  'item.update': ItemChange;
  'item.attach': ItemChange;
  'item.detach': ItemChange;
  'item.move': ItemChange;
}
