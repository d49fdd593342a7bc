import { z } from 'zod';
import { blackoutOverrideSchema } from './views.js';

export const checklistWaiverSchema = z.object({
  transition: z.string(),
  transitionName: z.string(),
  reason: z.string(),
  waivedBy: z.string(),
  waivedAt: z.string(),
  text: z.string().describe('"waived by X at T: reason"'),
});

/** What satisfied a gate (or the part of it that holds): what, who, when. */
export const evidenceSchema = z.object({ what: z.string(), by: z.string(), at: z.string() });

export const gateResultSchema = z.object({
  id: z.string(),
  name: z.string(),
  pass: z.boolean(),
  reasons: z.array(z.string()).describe('Why the gate does not hold; empty when it passes'),
  evidence: z.array(evidenceSchema),
  exceptions: z.array(z.string()).describe('Process exceptions used to pass it (e.g. single-environment testing of data repairs)'),
});

export const transitionOptionSchema = z.object({
  id: z.string(),
  name: z.string(),
  to: z.string(),
  roles: z.array(z.string()),
  allowedForYou: z.boolean(),
  requireComment: z.boolean(),
  gates: z.array(gateResultSchema),
  unmet: z.array(z.string()).describe('Every unmet gate condition; empty when it could be performed now'),
});

export const gatesViewSchema = z.object({
  release: z.string(),
  state: z.string(),
  stateName: z.string(),
  terminal: z.boolean(),
  transitions: z.array(transitionOptionSchema).describe('The transitions out of the current state'),
});

export const roadStepSchema = z.object({
  transition: transitionOptionSchema.pick({ id: true, name: true, roles: true, allowedForYou: true, requireComment: true }),
  from: z.string(),
  to: z.string(),
  toName: z.string(),
  gates: z.array(gateResultSchema).describe('Evaluated against the release’s facts now'),
  unmet: z.array(z.string()).describe('Every gate condition this step still lacks'),
});

export const roadViewSchema = z.object({
  release: z.string(),
  state: z.string(),
  stateName: z.string(),
  reached: z.boolean().describe('The release is in production already'),
  terminal: z.boolean(),
  goal: z.string().nullable().describe('The production state the road leads to; null when none can be reached from here'),
  goalName: z.string().nullable(),
  steps: z.array(roadStepSchema).describe('The transitions still ahead, in order; empty at the goal'),
});

export const transitionRecordSchema = z.object({
  id: z.string(),
  transition: z.string(),
  from: z.string(),
  to: z.string(),
  comment: z.string(),
  evidence: z.object({ gates: z.array(gateResultSchema), exceptions: z.array(z.string()) }),
  performedBy: z.string(),
  performedAt: z.string(),
});

export const approvalSchema = z.object({
  id: z.string(),
  step: z.string(),
  decision: z.enum(['approved', 'rejected']),
  comment: z.string(),
  attestations: z.array(z.string()),
  decidedBy: z.string(),
  decidedAt: z.string(),
  voided: z.boolean(),
  voidedAt: z.string().nullable(),
  voidReason: z.string().nullable(),
});

export const approvalStepSchema = z.object({
  step: z.string(),
  name: z.string(),
  roles: z.array(z.string()),
  required: z.number().int(),
  approvedBy: z.array(z.string()),
  satisfied: z.boolean(),
  requester: z.string().describe('Who asked for it (the latest request, else the release’s creator); may not decide it'),
  attestations: z.array(z.object({ id: z.string(), text: z.string() })),
  decisions: z.array(approvalSchema),
});

export const requestMailSchema = z
  .discriminatedUnion('queued', [
    z.object({
      queued: z.literal(true),
      template: z.string(),
      mailId: z.string().describe('The outbox mail; `GET /mail/{id}` shows whether it was delivered'),
      messageId: z.string(),
      to: z.array(z.string()).describe('The people who may give the approval, and the mail template’s own recipients'),
      cc: z.array(z.string()),
    }),
    z.object({
      queued: z.literal(false),
      template: z.string().nullable(),
      reason: z.string().describe('Why nobody was e-mailed'),
    }),
  ])
  .describe('The mail that tells the people who may give the approval, or why none was queued');

export const approvalRequestSchema = z.object({
  step: z.string(),
  requestedBy: z.string(),
  requestedAt: z.string(),
  mail: requestMailSchema,
});

export const advanceSchema = z
  .discriminatedUnion('taken', [
    z.object({ taken: z.literal(true), transition: transitionRecordSchema }),
    z.object({
      taken: z.literal(false),
      reason: z.string(),
      transitions: z
        .array(z.object({ id: z.string(), name: z.string(), unmet: z.array(z.string()) }))
        .describe('The transitions the approval could complete, each with what stops it'),
    }),
  ])
  .describe('Present when `advance` was asked for: the transition taken, or why the release did not move');

export const decisionSchema = approvalSchema.extend({ advance: advanceSchema.optional() });

export const packageFileSchema = z.object({
  name: z.string(),
  kind: z.string().describe('cache-xml, zip, war or other'),
  size: z.number().int(),
  sha256: z.string(),
});

export const packageSchema = z.object({
  channel: z.string(),
  version: z.number().int(),
  label: z.string(),
  createdBy: z.string(),
  createdAt: z.string(),
  file: packageFileSchema.nullable().describe('The stored file, when the version was uploaded'),
});

export const packageRecordedSchema = packageSchema.extend({
  voidedApprovals: z.number().int().describe('Approvals the new package version voided'),
});

export const testAttemptSchema = z.object({
  id: z.string(),
  item: z.string(),
  environment: z.string(),
  result: z.enum(['passed', 'failed']),
  cause: z.string().nullable(),
  notes: z.string(),
  packages: z.record(z.string(), z.number().int()).describe('Package version per channel at the time of the attempt'),
  recordedBy: z.string(),
  recordedAt: z.string(),
});

export const issueSchema = z.object({
  number: z.number().int(),
  category: z.string(),
  title: z.string(),
  description: z.string(),
  status: z.enum(['open', 'resolved', 'wont-fix']),
  resolution: z.string().nullable(),
  raisedBy: z.string(),
  raisedAt: z.string(),
  resolvedBy: z.string().nullable(),
  resolvedAt: z.string().nullable(),
});

export const notificationSchema = z.object({
  id: z.string(),
  system: z.string(),
  means: z.string().describe('email (sent by relman), phone, meeting or other'),
  status: z
    .enum(['pending', 'notified', 'failed'])
    .describe('An e-mail is pending until the mail server accepts the system’s address; failed when it was refused or given up'),
  note: z.string(),
  mailId: z.string().nullable(),
  messageId: z.string().nullable(),
  addresses: z.array(z.string()).describe('The system’s addresses the e-mail went to'),
  accepted: z.array(z.string()).nullable().describe('Those the mail server accepted'),
  outcome: z.string().nullable().describe('Why the e-mail did not reach the system, or which addresses were refused'),
  settledAt: z.string().nullable().describe('When the mail server accepted the e-mail (or the delivery was given up)'),
  summary: z.string().describe('What the notice proves, e.g. "CATS notified by phone: …"'),
  recordedBy: z.string(),
  recordedAt: z.string(),
});

export const reportSchema = z.object({
  report: z.string(),
  parts: z.record(z.string(), z.string()),
  helpdeskRefs: z.array(z.string()),
  writtenBy: z.string(),
  writtenAt: z.string(),
});

export const stepRecordSchema = z.object({
  id: z.string(),
  step: z.string(),
  channel: z.string(),
  packageVersion: z.number().int().nullable(),
  note: z.string(),
  recordedBy: z.string(),
  recordedAt: z.string(),
});

export const releaseEvidenceSchema = z.object({
  blackoutOverride: blackoutOverrideSchema.nullable().describe('Planned on a blackout anyway: by whom, when and why'),
  packages: z.array(packageSchema),
  tests: z.array(testAttemptSchema),
  issues: z.array(issueSchema),
  notifications: z.array(notificationSchema),
  reports: z.array(reportSchema),
  steps: z.array(stepRecordSchema),
  checklistWaivers: z
    .array(checklistWaiverSchema.extend({ task: z.string(), title: z.string() }))
    .describe('Transitions a coordinator let go ahead while a checklist task tied to them was open'),
});

export type TransitionRecord = z.infer<typeof transitionRecordSchema>;
