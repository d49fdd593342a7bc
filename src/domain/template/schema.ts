import { z } from 'zod';
import { APP_ACTIONS } from '../permissions.js';
import {
  approvalStepSchema,
  failureCauseSchema,
  gateSchema,
  issueCategorySchema,
  reportSchema,
  stepSchema,
  workflowSchema,
} from './lifecycle-schema.js';
import { deploymentPlanSchema } from './deployment-schema.js';

/**
 * The process template (P18): one document that describes a team's release
 * process. The schema only checks shapes; relations between sections (role
 * references, unique ids, the naming pattern …) are checked in `parse.ts` so
 * that every problem can be reported at once.
 */

const MAX_NAME = 200;
const MAX_TEXT = 4000;
const MAX_LIST = 500;

const ID = /^[a-z][a-z0-9-]*$/;
const ID_MESSAGE = 'must start with a lower-case letter and contain only a-z, 0-9 and -';

export const idSchema = z.string().max(40).regex(ID, ID_MESSAGE);
export const templateKeySchema = z.string().regex(/^[a-z0-9-]{1,40}$/, 'must be 1 to 40 characters of a-z, 0-9 and -');
const nameSchema = z.string().trim().min(1).max(MAX_NAME);
const textSchema = z.string().max(MAX_TEXT);

function list<T extends z.ZodType>(item: T, min = 0) {
  return z.array(item).min(min).max(MAX_LIST);
}

export const roleSchema = z.strictObject({
  id: idSchema,
  name: nameSchema,
  description: textSchema.optional(),
});

// An exhaustive record: a template must say who may perform every action, and
// an unknown action key (a typo) is reported rather than ignored.
export const permissionsSchema = z.record(z.enum(APP_ACTIONS), list(idSchema));

export const PACKAGE_KINDS = ['cache-xml', 'zip', 'war'] as const;

export const channelSchema = z.strictObject({
  id: idSchema,
  name: nameSchema,
  description: textSchema.optional(),
  /** The kinds of file a package of this channel may be; any when absent. */
  packageKinds: z.array(z.enum(PACKAGE_KINDS)).min(1).max(3).optional(),
});

export const environmentSchema = z.strictObject({
  id: idSchema,
  name: nameSchema,
  description: textSchema.optional(),
  order: z.int(),
  production: z.boolean().default(false),
});

export const stateSchema = z.strictObject({
  id: idSchema,
  name: nameSchema,
  description: textSchema.optional(),
  terminal: z.boolean().default(false),
  /** No new package version may be recorded while a release is in this state (what was approved is what is deployed). */
  locksPackages: z.boolean().default(false),
  /** A release that reached this state is in production: its packages are the baseline for the next release's diff (P17). */
  inProduction: z.boolean().default(false),
});

export const releaseTypeSchema = z.strictObject({
  id: idSchema,
  name: nameSchema,
  description: textSchema.optional(),
  initialState: idSchema,
  /** The workflow (transitions and their gates) releases of this type follow. */
  workflow: idSchema,
});

export const workItemKindSchema = z.strictObject({
  id: z
    .string()
    .max(40)
    .regex(/^[A-Z][A-Z0-9]*$/, 'must start with an upper-case letter and contain only A-Z and 0-9'),
  name: nameSchema,
  description: textSchema.optional(),
});

export const prioritySchema = z.strictObject({
  id: idSchema,
  name: nameSchema,
  description: textSchema.optional(),
  order: z.int(),
});

export const elementTypeSchema = z.strictObject({
  id: idSchema,
  name: nameSchema,
  description: textSchema.optional(),
  channel: idSchema,
});

const namingTokenSchema = z.union(
  [
    z.strictObject({ parameter: z.string(), description: textSchema.optional() }),
    z.strictObject({ sequence: z.literal(true), description: textSchema.optional() }),
  ],
  { error: 'a token is either { parameter: <name> } or { sequence: true }' },
);

// Only shapes here: the pattern rules live in domain/naming.ts so that
// applications overriding the parameters get the same checks.
export const namingSchema = z.strictObject({
  pattern: z.string(),
  tokens: z.record(z.string(), namingTokenSchema),
  defaults: z.record(z.string(), z.string()).optional(),
});

export const externalSystemSchema = z.strictObject({
  id: idSchema,
  name: nameSchema,
  direction: z.enum(['upstream', 'downstream', 'both']),
  description: textSchema.optional(),
  /** Where notices to this system go; contacts managed in relman add to it. */
  email: z.email().max(320).optional(),
});

export const WEEKDAYS = ['monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday', 'sunday'] as const;
export type Weekday = (typeof WEEKDAYS)[number];

function isTimeZone(value: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: value });
    return true;
  } catch {
    return false;
  }
}

export const calendarSchema = z.strictObject({
  changeCycleDays: z.array(z.enum(WEEKDAYS)).max(7),
  timeZone: z.string().max(100).refine(isTimeZone, 'must be an IANA time zone name'),
  /** Local time (in timeZone) at which reminders and escalations of the day go out. */
  reminderTime: z
    .string()
    .regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'a local time HH:MM')
    .default('08:00'),
  /** Release types that may be scheduled on a blackout, with a recorded reason, by a role holding `blackout.override`. */
  blackoutOverride: z.strictObject({ releaseTypes: list(idSchema, 1) }).optional(),
});

/** A named date in a release's plan, by default some days from release day; the checklist can be due relative to it. */
export const milestoneSchema = z.strictObject({
  id: idSchema,
  name: nameSchema,
  /** Its planned date, relative to release day, until set on the release. */
  offsetDays: z.int().min(-366).max(366),
  description: textSchema.optional(),
});

const offsetDaysSchema = z.int().min(-366).max(366);

export const checklistDueSchema = z.union(
  [z.strictObject({ offsetDays: offsetDaysSchema }), z.strictObject({ milestone: idSchema, offsetDays: offsetDaysSchema.optional() })],
  { error: 'due is either { offsetDays: <days> } or { milestone: <id>, offsetDays?: <days> }' },
);

export const checklistTaskSchema = z.strictObject({
  id: idSchema,
  title: nameSchema,
  due: checklistDueSchema,
  responsible: list(idSchema, 1),
  remarks: textSchema.optional(),
  /** A mail template whose sending completes this task, the sent mail being its evidence. */
  mail: idSchema.optional(),
  /** The channels it belongs to: only a release carrying one of them gets the task. Every release when absent. */
  channels: list(idSchema, 1).optional(),
  /**
   * Transitions (by id, in any workflow) that may not be performed while this
   * task is open, unless a role holding `checklist.waive` waives it for that
   * transition with a reason.
   */
  requiredBefore: list(idSchema).default([]),
});

const contactFields = {
  role: idSchema,
  person: nameSchema,
  phone: z.string().trim().min(1).max(50).optional(),
  email: z.email().max(320).optional(),
};

export const resourceContactSchema = z.strictObject(contactFields);
export const escalationContactSchema = z.strictObject({ order: z.int(), ...contactFields });

export const distributionGroupSchema = z.strictObject({
  id: idSchema,
  name: nameSchema,
  email: z.email().max(320),
  description: textSchema.optional(),
});

/**
 * The initial resource list, escalation list and distribution groups of an
 * application created from this template (managed in relman afterwards), and
 * how overdue checklist tasks escalate: a reminder to the responsible people,
 * then every `escalationDelayHours` the next level of the escalation list.
 */
export const contactsSchema = z.strictObject({
  resources: list(resourceContactSchema).default([]),
  escalation: list(escalationContactSchema).default([]),
  groups: list(distributionGroupSchema).default([]),
  escalationDelayHours: z
    .int()
    .min(1)
    .max(24 * 30)
    .default(24),
});

/**
 * Who a mail goes to: `role:<id>` (people holding the role), `group:<id>` (a
 * distribution group), `system:<id>` (an external system's contacts),
 * `owner` (whoever created the release), `responsible` (a checklist task's
 * people), or a literal e-mail address.
 */
export const recipientSchema = z
  .string()
  .trim()
  .max(320)
  .regex(/^(role:[a-z0-9][a-z0-9-]*|group:[a-z0-9][a-z0-9-]*|system:[a-z0-9][a-z0-9-]*|owner|responsible|[^@\s]+@[^@\s]+)$/, {
    message: 'role:<id>, group:<id>, system:<id>, owner, responsible or an e-mail address',
  });

/** A mail template: `{{name}}` placeholders are replaced by the values listed in docs/process-template.md. */
export const mailTemplateSchema = z.strictObject({
  id: idSchema,
  name: nameSchema,
  subject: z.string().trim().min(1).max(300),
  body: z.string().min(1).max(20_000),
  to: list(recipientSchema).default([]),
  cc: list(recipientSchema).default([]),
});

export const revisionSchema = z.strictObject({
  changes: z.string().trim().min(1).max(MAX_TEXT),
  preparedBy: nameSchema.optional(),
  reviewedBy: nameSchema.optional(),
});

/** The application a fresh installation creates from this template on first start. */
export const defaultApplicationSchema = z.strictObject({
  key: templateKeySchema,
  name: nameSchema,
});

export const processTemplateSchema = z.strictObject({
  key: templateKeySchema,
  name: nameSchema,
  description: textSchema.optional(),
  revision: revisionSchema.optional(),
  defaultApplication: defaultApplicationSchema.optional(),
  roles: list(roleSchema, 1),
  permissions: permissionsSchema,
  channels: list(channelSchema, 1),
  environments: list(environmentSchema, 1),
  states: list(stateSchema, 1),
  releaseTypes: list(releaseTypeSchema, 1),
  workItemKinds: list(workItemKindSchema, 1),
  priorities: list(prioritySchema, 1),
  elementTypes: list(elementTypeSchema).default([]),
  naming: namingSchema,
  externalSystems: list(externalSystemSchema).default([]),
  calendar: calendarSchema,
  milestones: list(milestoneSchema).default([]),
  checklist: list(checklistTaskSchema).default([]),
  contacts: contactsSchema.default({ resources: [], escalation: [], groups: [], escalationDelayHours: 24 }),
  mailTemplates: list(mailTemplateSchema).default([]),
  workflows: list(workflowSchema, 1),
  gates: list(gateSchema).default([]),
  approvals: list(approvalStepSchema).default([]),
  steps: list(stepSchema).default([]),
  issueCategories: list(issueCategorySchema).default([]),
  failureCauses: list(failureCauseSchema, 1),
  reports: list(reportSchema).default([]),
  /** How releases are deployed to each environment (P6, P7, P10); see deployment-schema.ts. */
  deployments: list(deploymentPlanSchema).default([]),
});

export type ProcessTemplate = z.infer<typeof processTemplateSchema>;
export type ProcessTemplateInput = z.input<typeof processTemplateSchema>;
export type TemplateSection = keyof ProcessTemplate;
export type Role = z.infer<typeof roleSchema>;
export type Permissions = z.infer<typeof permissionsSchema>;
export type Channel = z.infer<typeof channelSchema>;
export type Environment = z.infer<typeof environmentSchema>;
export type LifecycleState = z.infer<typeof stateSchema>;
export type ReleaseType = z.infer<typeof releaseTypeSchema>;
export type WorkItemKind = z.infer<typeof workItemKindSchema>;
export type Priority = z.infer<typeof prioritySchema>;
export type ElementType = z.infer<typeof elementTypeSchema>;
export type NamingSection = z.infer<typeof namingSchema>;
export type ExternalSystem = z.infer<typeof externalSystemSchema>;
export type Calendar = z.infer<typeof calendarSchema>;
export type ChecklistDue = z.infer<typeof checklistDueSchema>;
export type ChecklistTask = z.infer<typeof checklistTaskSchema>;
export type ResourceContact = z.infer<typeof resourceContactSchema>;
export type EscalationContact = z.infer<typeof escalationContactSchema>;
export type Contacts = z.infer<typeof contactsSchema>;
export type Milestone = z.infer<typeof milestoneSchema>;
export type DistributionGroup = z.infer<typeof distributionGroupSchema>;
export type MailTemplate = z.infer<typeof mailTemplateSchema>;
export type Recipient = z.infer<typeof recipientSchema>;
export type Revision = z.infer<typeof revisionSchema>;
