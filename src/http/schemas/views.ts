import { z } from 'zod';

export const templateRefSchema = z.object({ key: z.string(), version: z.number().int() });

export const elementSchema = z.object({
  type: z.string().min(1).max(40),
  name: z.string().min(1).max(500),
});

export const workItemSchema = z.object({
  key: z.string(),
  number: z.number().int(),
  application: z.string(),
  kind: z.string(),
  helpdeskRef: z.string(),
  title: z.string(),
  description: z.string(),
  owner: z.string().nullable(),
  priority: z.string(),
  elements: z.array(elementSchema),
  release: z.string().nullable(),
  createdBy: z.string(),
  createdAt: z.string(),
  updatedAt: z.string(),
  version: z.number().int(),
});

export const itemTestSchema = z.object({
  release: z.string(),
  environment: z.string(),
  result: z.enum(['passed', 'failed']),
  cause: z.string().nullable(),
  notes: z.string(),
  packages: z.record(z.string(), z.number().int()).describe('Package version per channel of that release at the time of the attempt'),
  recordedBy: z.string(),
  recordedAt: z.string(),
});

export const workItemDetailSchema = workItemSchema.extend({
  tests: z.array(itemTestSchema).describe('Every test attempt of the item, in any release, oldest first (P4)'),
});

export const blackoutOverrideSchema = z.object({
  date: z.string(),
  reason: z.string(),
  by: z.string(),
  at: z.string(),
  blackouts: z.array(z.object({ id: z.string(), from: z.string(), to: z.string(), reason: z.string() })),
  text: z.string().describe('"blackout <window> overridden by X at T: reason"'),
});

export const releaseSchema = z.object({
  name: z.string(),
  application: z.string(),
  type: z.string(),
  state: z.string(),
  title: z.string(),
  description: z.string(),
  plannedDate: z.string(),
  channels: z.array(z.string()),
  cycle: z
    .object({ date: z.string(), title: z.string(), status: z.enum(['planned', 'cancelled']) })
    .nullable()
    .describe('The change cycle the release is booked into'),
  blackoutOverride: blackoutOverrideSchema.nullable().describe('Planned on a blackout anyway: by whom, when and why'),
  template: templateRefSchema,
  createdBy: z.string(),
  createdAt: z.string(),
  updatedAt: z.string(),
  version: z.number().int(),
});

export const releaseDetailSchema = releaseSchema.extend({ items: z.array(workItemSchema) });

export const applicationSchema = z.object({
  key: z.string(),
  name: z.string(),
  template: templateRefSchema,
  namingParameters: z.record(z.string(), z.string()),
  nextReleaseNameExample: z.string(),
  isDefault: z.boolean(),
  createdAt: z.string(),
});

export const userSchema = z.object({
  username: z.string(),
  displayName: z.string(),
  email: z.string().nullable(),
  roles: z.array(z.string()),
  disabled: z.boolean(),
  createdAt: z.string(),
  updatedAt: z.string(),
});

export const tokenSchema = z.object({
  id: z.string(),
  name: z.string(),
  user: z.string(),
  createdAt: z.string(),
  expiresAt: z.string().nullable(),
  lastUsedAt: z.string().nullable(),
  revokedAt: z.string().nullable(),
});

export const templateVersionSummarySchema = z.object({
  key: z.string(),
  version: z.number().int(),
  name: z.string(),
  sha256: z.string(),
  changes: z.string(),
  sectionsChanged: z.array(z.string()),
  preparedBy: z.string().nullable(),
  reviewedBy: z.string().nullable(),
  publishedBy: z.string(),
  publishedAt: z.string(),
});

export const templateVersionSchema = templateVersionSummarySchema.extend({
  template: z.record(z.string(), z.unknown()).describe('The parsed process template'),
  yaml: z.string(),
});

export const auditEventSchema = z.object({
  seq: z.number().int(),
  id: z.string(),
  at: z.string(),
  actor: z.string(),
  action: z.string(),
  subjectType: z.string(),
  subjectId: z.string(),
  before: z.unknown(),
  after: z.unknown(),
  requestId: z.string().nullable(),
  hash: z.string(),
});
