import { z } from 'zod';

/**
 * The deployment plan of a process template (P6, P7, P10): per environment,
 * when a run may start (release states and gates), who may start it, and the
 * ordered steps a run takes. Shapes only; references to roles, channels,
 * gates, checklist tasks, lifecycle steps and mail templates are checked in
 * deployment-refs.ts.
 */

const MAX_LIST = 500;
const id = z
  .string()
  .max(40)
  .regex(/^[a-z][a-z0-9-]*$/, 'must start with a lower-case letter and contain only a-z, 0-9 and -');
const name = z.string().trim().min(1).max(200);
const text = z.string().max(4000);
const list = <T extends z.ZodType>(item: T, min = 0) => z.array(item).min(min).max(MAX_LIST);

export const DEPLOYMENT_STEP_KINDS = ['transfer', 'command', 'target-commands', 'manual'] as const;
export type DeploymentStepKind = (typeof DEPLOYMENT_STEP_KINDS)[number];

const ENV_NAME = /^[A-Z_][A-Z0-9_]*$/;

/** A command of the template: a program and its arguments, never a shell line. */
export const templateCommandSchema = z.strictObject({
  argv: z.array(z.string().min(1).max(4096)).min(1).max(64),
  cwd: z.string().min(1).max(4096).optional(),
  env: z.record(z.string().regex(ENV_NAME, 'must be an environment variable name such as RELEASE_DIR'), z.string().max(4096)).optional(),
  timeoutSeconds: z.number().int().min(1).max(86_400),
});

export const deploymentStepSchema = z.strictObject({
  id,
  name,
  description: text.optional(),
  /** The channel the step works on; absent for a step of the whole release (e.g. verifying the application). */
  channel: id.optional(),
  /**
   * transfer: the channel's package files go by SFTP to the target's drop location;
   * command: the `command` below runs on the relman host;
   * target-commands: the commands the administrator configured on the target run, in order;
   * manual: the people of `roles` are told by e-mail and one of them marks it done or failed.
   */
  kind: z.enum(DEPLOYMENT_STEP_KINDS),
  /** Who may act on the step: acknowledge a manual step; retry or skip any step (P10). */
  roles: list(id, 1),
  /** A disabled step is not part of any run (an example to switch on). */
  enabled: z.boolean().default(true),
  /** For a manual step: what to do. The package download links are shown with it. */
  instructions: text.optional(),
  /** For a manual step: checklist tasks whose notes and evidence it shows with its instructions (the release notes, the deployment checklist). */
  showsTasks: list(id).default([]),
  command: templateCommandSchema.optional(),
  /** A checklist task completed, with the step as evidence, when the step is done. */
  completesTask: id.optional(),
  /** Lifecycle steps (`steps:`) recorded for the step's channel (every channel of the release when it has none) when a manual step is marked done. */
  recordsSteps: list(id).default([]),
  /** The mail to the people of `roles` when a manual step begins. */
  mail: id.optional(),
  /** A manual step still waiting after this many hours is escalated along the escalation list, this many hours per level. */
  escalation: z.strictObject({ afterHours: z.number().positive().max(8760), mail: id }).optional(),
});

export const deploymentPlanSchema = z.strictObject({
  environment: id,
  /** Who may start a run to this environment. */
  roles: list(id, 1),
  /** The release states in which a run may start. */
  states: list(id, 1),
  /** Gates that must hold for a run to start (e.g. the go-ahead or the approval). */
  gates: list(id).default([]),
  steps: list(deploymentStepSchema, 1),
});

export type DeploymentStepTemplate = z.infer<typeof deploymentStepSchema>;
export type DeploymentPlan = z.infer<typeof deploymentPlanSchema>;
export type TemplateCommand = z.infer<typeof templateCommandSchema>;
