/**
 * Everything recorded about one release that its lifecycle decisions depend
 * on. Services load it from the database; the rules in this folder are pure
 * functions over it, so they are tested without I/O.
 */
export type Evidence = { what: string; by: string; at: string };

export type SnapshotItem = {
  id: string;
  key: string;
  kind: string;
  /** The item's reference in the help-desk system (what reports cite). */
  helpdeskRef: string;
  elements?: { type: string; name: string }[];
};
export type SnapshotPackage = { channel: string; version: number; label: string; by: string; at: string };
export type SnapshotApprovalRequest = { step: string; by: string; at: string; voided: boolean };
export type SnapshotApproval = {
  id: string;
  step: string;
  decision: 'approved' | 'rejected';
  by: string;
  at: string;
  comment: string;
  attestations: string[];
  voided: boolean;
};
export type SnapshotTest = {
  itemId: string;
  environment: string;
  result: 'passed' | 'failed';
  cause: string | null;
  by: string;
  at: string;
  /** Package version per channel at the time of the attempt. */
  packages: Record<string, number>;
};
export type SnapshotIssue = {
  number: number;
  category: string;
  title: string;
  status: 'open' | 'resolved' | 'wont-fix';
  /** Who closed it and when (absent while it is open). */
  resolvedBy?: string | null;
  resolvedAt?: string | null;
};
export type SnapshotNotification = {
  system: string;
  by: string;
  at: string;
  note: string;
  /** `email` (sent by relman), or how a person says it was made: `phone`, `meeting`, `other`. */
  means: string;
  /** `notified`; an e-mail is `pending` until the mail server accepts the system's address, `failed` if it did not. */
  status: 'pending' | 'notified' | 'failed';
  messageId?: string | null;
  /** The system's addresses the e-mail went to. */
  addresses: string[];
  /** Those the mail server accepted; null for notices recorded before acceptance was tracked. */
  accepted: string[] | null;
  outcome?: string | null;
  settledAt?: string | null;
};
export type SnapshotReport = { report: string; parts: Record<string, string>; helpdeskRefs: string[]; by: string; at: string };
export type SnapshotStep = { step: string; channel: string; packageVersion: number | null; by: string; at: string };
/** A coordinator let one transition go ahead while the task was open (P14, P17). */
export type SnapshotChecklistWaiver = { transition: string; reason: string; by: string; at: string };
/** A reconciliation checklist task (P14); `by`/`at` say who completed or skipped it and when. */
export type SnapshotChecklistTask = {
  task: string;
  title: string;
  /** `sent`: the mail that completes it is awaiting delivery — not done yet. */
  status: 'open' | 'sent' | 'done' | 'skipped';
  note: string | null;
  by: string | null;
  at: string | null;
  waivers?: SnapshotChecklistWaiver[];
};

export type ReleaseSnapshot = {
  name: string;
  type: string;
  state: string;
  channels: string[];
  createdBy: string;
  items: SnapshotItem[];
  packages: SnapshotPackage[];
  approvalRequests: SnapshotApprovalRequest[];
  approvals: SnapshotApproval[];
  tests: SnapshotTest[];
  issues: SnapshotIssue[];
  notifications: SnapshotNotification[];
  reports: SnapshotReport[];
  steps: SnapshotStep[];
  /** The release's checklist tasks; absent where nothing loaded them (counts as no task done). */
  checklist?: SnapshotChecklistTask[];
  /**
   * Per channel, what its current package files contain (`type:name` keys such as
   * `class:CMS.Patient` or `web-file:js/app.js`), with the newest version among
   * them and the files (`name (vN)`): the newest file of each package kind.
   * Absent for a channel whose current package has no stored file.
   */
  contents?: Record<string, { version: number; keys: string[]; files?: string[] }>;
};

export function emptySnapshot(fields: Pick<ReleaseSnapshot, 'name' | 'type' | 'state' | 'channels' | 'createdBy'>): ReleaseSnapshot {
  return {
    ...fields,
    items: [],
    packages: [],
    approvalRequests: [],
    approvals: [],
    tests: [],
    issues: [],
    notifications: [],
    reports: [],
    steps: [],
  };
}

/** The newest package of a channel, or null when none was recorded. */
export function currentPackage(s: ReleaseSnapshot, channel: string): SnapshotPackage | null {
  let best: SnapshotPackage | null = null;
  for (const p of s.packages) if (p.channel === channel && (best === null || p.version > best.version)) best = p;
  return best;
}

export function currentPackageVersions(s: ReleaseSnapshot): Record<string, number> {
  const out: Record<string, number> = {};
  for (const c of s.channels) {
    const p = currentPackage(s, c);
    if (p) out[c] = p.version;
  }
  return out;
}

/** Approvals of a step that still count. */
export function activeApprovals(s: ReleaseSnapshot, step: string): SnapshotApproval[] {
  return s.approvals.filter((a) => a.step === step && a.decision === 'approved' && !a.voided);
}

/** The latest attempt for an item in an environment. */
export function latestAttempt(s: ReleaseSnapshot, itemId: string, environment: string): SnapshotTest | null {
  let latest: SnapshotTest | null = null;
  for (const t of s.tests) if (t.itemId === itemId && t.environment === environment && (latest === null || t.at >= latest.at)) latest = t;
  return latest;
}
