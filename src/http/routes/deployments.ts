import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { environmentsView } from '../../services/deployments/environments.js';
import { ackStep, listRuns, retryStep, runLog, showRun, skipStep, startRun } from '../../services/deployments/runs.js';
import type { RouteOptions } from '../app.js';
import { actorOf } from '../auth.js';
import { appQuery, errorResponses, identifier, intParam } from '../schemas/common.js';

const STEP_STATES = ['waiting', 'running', 'done', 'failed', 'skipped', 'interrupted'] as const;
const RUN_STATES = ['waiting', 'running', 'succeeded', 'failed', 'interrupted'] as const;

const stepSchema = z.object({
  position: z.number().int(),
  step: z.string(),
  name: z.string(),
  channel: z.string().nullable(),
  kind: z.enum(['transfer', 'command', 'target-commands', 'manual']),
  state: z.enum(STEP_STATES),
  roles: z.array(z.string()),
  description: z.string().nullable(),
  instructions: z.string().nullable(),
  command: z.array(z.string()).nullable().describe('A command step’s program and arguments, from the process template'),
  completesTask: z.string().nullable(),
  recordsSteps: z.array(z.string()),
  documents: z
    .array(
      z.object({
        task: z.string(),
        title: z.string(),
        status: z.string(),
        note: z.string().nullable(),
        evidence: z.record(z.string(), z.unknown()).nullable(),
      }),
    )
    .describe('Checklist tasks a manual step is read with (release notes, the deployment checklist): their note and evidence'),
  outcome: z.string().describe('The note, the reason of a skip, or the error'),
  by: z.string().nullable(),
  startedAt: z.string().nullable(),
  finishedAt: z.string().nullable(),
  attempts: z.number().int(),
  escalationLevel: z.number().int(),
  evidence: z.record(z.string(), z.unknown()).nullable().describe('What the step did: files transferred and verified, exit codes'),
  actions: z.array(z.enum(['done', 'failed', 'retry', 'skip'])).describe('What you may do with the step now'),
});

const packageSchema = z.object({
  channel: z.string(),
  version: z.number().int(),
  files: z.array(z.object({ version: z.number().int(), kind: z.string(), fileName: z.string(), size: z.number(), sha256: z.string() })),
});

const runSchema = z.object({
  release: z.string(),
  number: z.number().int(),
  environment: z.string(),
  environmentName: z.string(),
  state: z.enum(RUN_STATES),
  packages: z.array(packageSchema),
  startedBy: z.string(),
  startedAt: z.string(),
  finishedAt: z.string().nullable(),
  steps: z.array(stepSchema),
});

const logSchema = z.object({
  lines: z.array(z.object({ seq: z.number().int(), at: z.string(), step: z.string().nullable(), stream: z.string(), line: z.string() })),
  next: z.number().int().describe('Pass as `after` to read on'),
  state: z.string().describe('The run’s state; a follower stops when it is neither waiting nor running and no line is left'),
});

const environmentSchema = z.object({
  environment: z.string(),
  name: z.string(),
  production: z.boolean(),
  installed: z.array(
    z.object({
      channel: z.string(),
      release: z.string(),
      version: z.number().int(),
      files: z.array(z.string()),
      since: z.string(),
      run: z.number().int(),
      startedBy: z.string(),
    }),
  ),
  history: z.array(
    z.object({
      release: z.string(),
      run: z.number().int(),
      state: z.string(),
      startedBy: z.string(),
      startedAt: z.string(),
      finishedAt: z.string().nullable(),
      plannedDate: z.string(),
      packages: z.array(z.object({ channel: z.string(), version: z.number().int() })),
    }),
  ),
});

const releaseParams = z.object({ name: z.string().min(1).max(64) });
const runParams = releaseParams.extend({ run: intParam(1) });
const stepParams = runParams.extend({ step: identifier });
const appOnly = z.object({ app: appQuery }).strict();
const note = z.string().max(4000);

/** Deployment runs of a release (docs/deployments.md) and what is installed where. */
export const deploymentRoutes: FastifyPluginAsyncZod<RouteOptions> = async (app, { deps }) => {
  app.get(
    '/releases/:name/deployments',
    {
      schema: {
        tags: ['deployments'],
        summary: 'The release’s deployment runs, oldest first',
        params: releaseParams,
        querystring: appOnly,
        response: { 200: z.array(runSchema), ...errorResponses },
      },
    },
    async (req) => listRuns(deps, actorOf(req), { app: req.query.app, name: req.params.name }),
  );

  app.post(
    '/releases/:name/deployments',
    {
      schema: {
        tags: ['deployments'],
        summary: 'Start a deployment run of the release’s current package versions to an environment',
        description:
          'Only for an environment the process template plans, by one of the plan’s roles, when the release’s state and the plan’s gates allow it (409 gates-not-satisfied lists what is missing), ' +
          'with no other run of the release to it under way (409 run-active) and every step able to work (409 deployment-not-ready: targets, package files).',
        params: releaseParams,
        querystring: appOnly,
        body: z.object({ environment: identifier }).strict(),
        response: { 201: runSchema, ...errorResponses },
      },
    },
    async (req, reply) => reply.code(201).send(await startRun(deps, actorOf(req), { app: req.query.app, name: req.params.name }, req.body)),
  );

  app.get(
    '/releases/:name/deployments/:run',
    {
      schema: {
        tags: ['deployments'],
        summary: 'One deployment run with its steps',
        params: runParams,
        querystring: appOnly,
        response: { 200: runSchema, ...errorResponses },
      },
    },
    async (req) => showRun(deps, actorOf(req), { app: req.query.app, name: req.params.name, run: req.params.run }),
  );

  app.get(
    '/releases/:name/deployments/:run/log',
    {
      schema: {
        tags: ['deployments'],
        summary: 'A run’s log lines after `after` (0: from the start), at most `limit`',
        params: runParams,
        querystring: z.object({ app: appQuery, after: intParam(0).default(0), limit: intParam(1, 5000).default(1000) }).strict(),
        response: { 200: logSchema, ...errorResponses },
      },
    },
    async (req) => runLog(deps, { app: req.query.app, name: req.params.name, run: req.params.run }, req.query.after, req.query.limit),
  );

  app.post(
    '/releases/:name/deployments/:run/steps/:step/ack',
    {
      schema: {
        tags: ['deployments'],
        summary: 'Mark a manual step done or failed (one of the step’s roles), with a note',
        description: 'Done also records the lifecycle steps it stands for and completes its checklist task. A failed step needs a note.',
        params: stepParams,
        querystring: appOnly,
        body: z.object({ outcome: z.enum(['done', 'failed']), note: note.optional() }).strict(),
        response: { 200: runSchema, ...errorResponses },
      },
    },
    async (req) => ackStep(deps, actorOf(req), { app: req.query.app, ...req.params, ...req.body }),
  );

  app.post(
    '/releases/:name/deployments/:run/steps/:step/retry',
    {
      schema: {
        tags: ['deployments'],
        summary: 'Try a failed or interrupted step again (one of the step’s roles)',
        params: stepParams,
        querystring: appOnly,
        body: z.object({ comment: note.optional() }).strict(),
        response: { 200: runSchema, ...errorResponses },
      },
    },
    async (req) => retryStep(deps, actorOf(req), { app: req.query.app, ...req.params, ...req.body }),
  );

  app.post(
    '/releases/:name/deployments/:run/steps/:step/skip',
    {
      schema: {
        tags: ['deployments'],
        summary: 'Skip a waiting, failed or interrupted step with the reason (one of the step’s roles)',
        params: stepParams,
        querystring: appOnly,
        body: z.object({ reason: note }).strict(),
        response: { 200: runSchema, ...errorResponses },
      },
    },
    async (req) => skipStep(deps, actorOf(req), { app: req.query.app, ...req.params, ...req.body }),
  );

  app.get(
    '/environments',
    {
      schema: {
        tags: ['deployments'],
        summary: 'What is installed in each environment now, and the history of runs to it',
        querystring: appOnly,
        response: { 200: z.array(environmentSchema), ...errorResponses },
      },
    },
    async (req) => environmentsView(deps, actorOf(req), req.query.app),
  );
};
