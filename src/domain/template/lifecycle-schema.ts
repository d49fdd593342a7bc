import { z } from 'zod';

/**
 * The parts of a process template that drive a release's lifecycle (P7, P8,
 * P10–P13, P15): workflows of transitions between states, the gates that guard
 * them, approval steps, per-channel responsibilities, issue categories, test
 * failure causes and required reports. Shapes only; references between them
 * are checked in lifecycle-refs.ts.
 */

const MAX_LIST = 500;
const ID = /^[a-z][a-z0-9-]*$/;
const id = z.string().max(40).regex(ID, 'must start with a lower-case letter and contain only a-z, 0-9 and -');
const kindId = z
  .string()
  .max(40)
  .regex(/^[A-Z][A-Z0-9]*$/, 'must be a work item kind id such as IR');
const name = z.string().trim().min(1).max(200);
const text = z.string().max(4000);
const list = <T extends z.ZodType>(item: T, min = 0) => z.array(item).min(min).max(MAX_LIST);

export const gateCheckSchema = z.union(
  [
    z.strictObject({ hasItems: z.literal(true) }),
    z.strictObject({ approval: id }),
    z.strictObject({ steps: list(id, 1) }),
    z.strictObject({
      itemsPassed: z.strictObject({
        environments: list(id, 1),
        // Items all of these kinds may pass in any one of the environments (P12: data repairs).
        singleEnvironmentKinds: list(kindId).default([]),
        // Passing in any one of the environments is enough for every item (no regression testing, P13).
        anyEnvironment: z.boolean().default(false),
      }),
    }),
    z.strictObject({ noOpenIssues: id }),
    z.strictObject({ externalSystemsNotified: z.literal(true) }),
    z.strictObject({ report: id }),
    z.strictObject({ packagesCoverItems: z.literal(true) }),
    // A reconciliation checklist task (P14) is done or marked not applicable.
    z.strictObject({ checklistDone: id }),
    // Each channel's current package version is the one the items passed testing on (P7, P8).
    z.strictObject({
      packagesTested: z.strictObject({
        environments: list(id, 1),
        singleEnvironmentKinds: list(kindId).default([]),
        anyEnvironment: z.boolean().default(false),
      }),
    }),
  ],
  {
    error:
      'check is one of { hasItems: true }, { approval: <id> }, { steps: [<id>] }, { itemsPassed: { environments: [<id>] } }, ' +
      '{ noOpenIssues: <category> }, { externalSystemsNotified: true }, { report: <id> }, { packagesCoverItems: true }, ' +
      '{ checklistDone: <task id> }, { packagesTested: { environments: [<id>] } }',
  },
);

export const gateSchema = z.strictObject({ id, name, description: text.optional(), check: gateCheckSchema });

export const approvalStepSchema = z.strictObject({
  id,
  name,
  description: text.optional(),
  roles: list(id, 1),
  required: z.int().min(1).max(20).default(1),
  /** Separation of duties: by default whoever requested the approval may not give it. */
  allowRequester: z.boolean().default(false),
  /** What voids an approval already given: a new package version, a change of the release's items. */
  voidOn: z
    .array(z.enum(['package', 'items']))
    .max(2)
    .default(['package', 'items']),
  /** Statements the approver confirms, e.g. for the CMC's sign-off (P15). */
  attestations: list(z.strictObject({ id, text: name })).default([]),
  /** Where a rejection sends the release. */
  onReject: z.strictObject({ to: id }).optional(),
  /** Mail templates sent when the step is approved (e.g. the CMC's sign-off confirmation, P15). */
  notify: list(id).default([]),
  /**
   * The mail template that tells the people who may give the approval that it
   * was requested; without it, the template's mail `approval-request`, if any.
   */
  notifyOnRequest: id.optional(),
});

export const stepSchema = z.strictObject({
  id,
  name,
  description: text.optional(),
  /** `package`: the record belongs to the channel's current package version; a later version voids it. */
  scope: z.enum(['release', 'package']).default('release'),
  /** Per channel, the roles responsible for recording this step (P10). */
  roles: z.record(id, list(id, 1)),
});

export const issueCategorySchema = z.strictObject({ id, name, description: text.optional() });

export const failureCauseSchema = z.strictObject({
  id,
  name,
  description: text.optional(),
  /** The item goes back to the developer and can only be retested with a new package version (P8). */
  needsNewPackage: z.boolean(),
});

export const reportSchema = z.strictObject({
  id,
  name,
  description: text.optional(),
  parts: list(z.strictObject({ id, name, description: text.optional() }), 1),
  helpdeskRefs: z.strictObject({ required: z.boolean(), kinds: list(kindId).default([]) }).optional(),
  roles: list(id, 1),
});

export const transitionSchema = z.strictObject({
  id,
  name,
  description: text.optional(),
  from: list(id, 1),
  to: id,
  roles: list(id, 1),
  gates: list(id).default([]),
  requireComment: z.boolean().default(false),
});

export const workflowSchema = z.strictObject({
  id,
  name,
  description: text.optional(),
  transitions: list(transitionSchema, 1),
});

export type GateCheck = z.infer<typeof gateCheckSchema>;
export type Gate = z.infer<typeof gateSchema>;
export type ApprovalStep = z.infer<typeof approvalStepSchema>;
export type Step = z.infer<typeof stepSchema>;
export type IssueCategory = z.infer<typeof issueCategorySchema>;
export type FailureCause = z.infer<typeof failureCauseSchema>;
export type Report = z.infer<typeof reportSchema>;
export type Transition = z.infer<typeof transitionSchema>;
export type Workflow = z.infer<typeof workflowSchema>;
