/** What a checklist task holds as its evidence. */
export type ChecklistEvidence = {
  link?: string;
  mailId?: string;
  mailSubject?: string;
  /** The mail's Message-ID. */
  messageId?: string;
  /** Who sent the mail that completes the task, and when (it is done when the mail server accepts it). */
  sentBy?: string;
  sentAt?: string;
  /** The addresses the mail server accepted the mail for. */
  acceptedFor?: string[];
  fileName?: string;
  sha256?: string;
  size?: number;
  /** A deployment step that did the task: its run and what it transferred, verified. */
  deployment?: {
    run: number;
    environment: string;
    step: string;
    target?: string;
    files?: { name: string; size: number; sha256: string; verifiedBy: string }[];
  };
};

/** What the audit records of a task before and after a person changes it. */
export type ChecklistTaskAuditBrief = {
  task: string;
  status: 'open' | 'sent' | 'done' | 'skipped';
  note: string | null;
  evidence: ChecklistEvidence | null;
  due: string | null;
  completedBy: string | null;
  lateAfter?: string[];
};

type TaskChange = { subject: 'release'; before: ChecklistTaskAuditBrief; after: ChecklistTaskAuditBrief };

/** A reminder or an escalation the sweep took for one task. */
export type ChecklistSweepStepAudit = {
  task: string;
  title: string;
  due: string | null;
  level: number;
  contacts: { person: string; phone: string | null; email: string | null }[];
  mailId: string | null;
  recipients: string[];
  problem: string | null;
};

/** Audit events of the checklist area; see catalogue.ts for the shape of an entry. */
export interface ChecklistAuditCatalogue {
  'checklist.complete': TaskChange;
  'checklist.skip': TaskChange;
  'checklist.reopen': TaskChange;
  'checklist.waive': {
    subject: 'release';
    after: { task: string; title: string; transition: string; reason: string; waivedBy: string; waivedAt: string };
  };
  'checklist.evidence': {
    subject: 'release';
    before: { task: string; evidence: ChecklistEvidence | null };
    after: { task: string; evidence: ChecklistEvidence };
  };
  'checklist.digest': {
    subject: 'release';
    after: {
      tasks: { task: string; title: string; due: string | null; problem: string | null }[];
      mails: { mailId: string; to: string[]; tasks: string[] }[];
    };
  };
  'checklist.remind': { subject: 'release'; after: ChecklistSweepStepAudit };
  'checklist.escalate': { subject: 'release'; after: ChecklistSweepStepAudit };
}
