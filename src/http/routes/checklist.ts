import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { attachEvidenceFile, openEvidenceFile } from '../../services/checklist/evidence-file.js';
import {
  completeTask,
  openChecklistTasks,
  releaseChecklist,
  reopenTask,
  setMilestone,
  skipTask,
  waiveTask,
} from '../../services/checklist/tasks.js';
import type { RouteOptions } from '../app.js';
import { acceptRawBodies, rawBody, rawUpload } from '../raw-body.js';
import { actorOf } from '../auth.js';
import { appQuery, calendarDate, errorResponses, identifier, int } from '../schemas/common.js';
import { checklistWaiverSchema } from '../schemas/lifecycle.js';

const releaseNameParam = z.object({ name: z.string().min(1).max(64) });
const taskParams = releaseNameParam.extend({ task: identifier });
const appOnlyQuery = z.object({ app: appQuery }).strict();
const reason = z.string().trim().min(1, 'say why').max(4000);
const taskVersion = int(1).optional().describe('The task version you read; refused with 409 if someone changed it since');
const flag = z.enum(['true', 'false']).transform((v) => v === 'true');

const evidenceSchema = z.object({
  link: z.string().optional(),
  mailId: z.string().optional(),
  mailSubject: z.string().optional(),
  messageId: z.string().optional(),
  sentBy: z.string().optional().describe('Who sent the mail that completes the task'),
  sentAt: z.string().optional(),
  acceptedFor: z.array(z.string()).optional().describe('The addresses the mail server accepted the mail for'),
  fileName: z.string().optional(),
  sha256: z.string().optional(),
  size: z.number().int().optional(),
  deployment: z
    .object({
      run: z.number().int(),
      environment: z.string(),
      step: z.string(),
      target: z.string().optional(),
      files: z.array(z.object({ name: z.string(), size: z.number().int(), sha256: z.string(), verifiedBy: z.string() })).optional(),
    })
    .optional()
    .describe('The deployment step that did the task: its run and what it transferred, verified'),
});

export const checklistTaskSchema = z.object({
  release: z.string(),
  task: z.string(),
  position: z.number().int(),
  title: z.string(),
  due: z.string().nullable().describe('YYYY-MM-DD; null while it depends on a milestone with no date'),
  dueRule: z.string().describe('The template’s rule in words, e.g. "14 days before release day"'),
  overdue: z.boolean().describe('Open, and its due day is over in the template’s time zone'),
  responsible: z.array(
    z.object({ role: z.string(), name: z.string(), people: z.array(z.object({ name: z.string(), email: z.string().nullable() })) }),
  ),
  remarks: z.string(),
  status: z
    .enum(['open', 'sent', 'done', 'skipped'])
    .describe('sent: the mail that completes it awaits delivery — not done until the mail server accepts it'),
  statusText: z.string().describe('"open", "sent, awaiting delivery", "done" or "not applicable"'),
  note: z.string().nullable(),
  evidence: evidenceSchema.nullable(),
  completedBy: z.string().nullable(),
  completedAt: z.string().nullable(),
  reminderDueAt: z.string().nullable().describe('When the reminder of an overdue task goes out'),
  remindedAt: z.string().nullable(),
  escalationLevel: z.number().int(),
  escalatedAt: z.string().nullable(),
  requiredBefore: z
    .array(z.object({ transition: z.string(), name: z.string(), performedAt: z.string().nullable() }))
    .describe('Transitions that wait for this task, and when the release first went through each'),
  waivers: z.array(checklistWaiverSchema).describe('Transitions a coordinator let go ahead while the task was open'),
  lateAfter: z
    .array(z.object({ transition: z.string(), name: z.string(), performedAt: z.string() }))
    .describe('Done late: the release had already gone through these transitions the task was required before'),
  version: z.number().int(),
});

export const checklistSchema = z.object({
  release: z.string(),
  state: z.string(),
  plannedDate: z.string(),
  timeZone: z.string(),
  reminderTime: z.string(),
  escalationDelayHours: z.number().int(),
  milestones: z.array(
    z.object({
      id: z.string(),
      name: z.string(),
      date: z.string(),
      set: z.boolean().describe('Set on the release; otherwise the template’s offset from release day'),
      setBy: z.string().nullable(),
      setAt: z.string().nullable(),
    }),
  ),
  tasks: z.array(checklistTaskSchema),
});

/** The reconciliation checklist of a release and its milestones (P14). */
export const checklistRoutes: FastifyPluginAsyncZod<RouteOptions> = async (app, { deps, artifacts, maxUploadBytes }) => {
  acceptRawBodies(app);

  app.get(
    '/releases/:name/checklist',
    {
      schema: {
        tags: ['checklist'],
        summary: 'The release’s checklist: each task with its due date, overdue flag, responsible people, status and evidence',
        params: releaseNameParam,
        querystring: appOnlyQuery,
        response: { 200: checklistSchema, ...errorResponses },
      },
    },
    async (req) => releaseChecklist(deps, { app: req.query.app, name: req.params.name }),
  );

  app.post(
    '/releases/:name/checklist/:task/complete',
    {
      schema: {
        tags: ['checklist'],
        summary:
          'Complete a task with a note and optional evidence (a link, or a mail of this release); by checklist.complete or the task’s roles',
        params: taskParams,
        querystring: appOnlyQuery,
        body: z
          .object({
            note: z.string().trim().min(1, 'say what was done').max(4000),
            link: z
              .url({ protocol: /^https?$/, error: 'an http(s) URL' })
              .max(2000)
              .optional(),
            mailId: z.uuid().optional().describe('A mail of this release in the outbox'),
            version: taskVersion,
          })
          .strict(),
        response: { 200: checklistTaskSchema, ...errorResponses },
      },
    },
    async (req) => {
      const { version, ...input } = req.body;
      return completeTask(deps, actorOf(req), { app: req.query.app, name: req.params.name }, req.params.task, {
        ...input,
        expectedVersion: version,
      });
    },
  );

  app.post(
    '/releases/:name/checklist/:task/reopen',
    {
      schema: {
        tags: ['checklist'],
        summary: 'Open a done or skipped task again, saying why',
        params: taskParams,
        querystring: appOnlyQuery,
        body: z.object({ reason, version: taskVersion }).strict(),
        response: { 200: checklistTaskSchema, ...errorResponses },
      },
    },
    async (req) =>
      reopenTask(deps, actorOf(req), { app: req.query.app, name: req.params.name }, req.params.task, {
        reason: req.body.reason,
        expectedVersion: req.body.version,
      }),
  );

  app.post(
    '/releases/:name/checklist/:task/skip',
    {
      schema: {
        tags: ['checklist'],
        summary: 'Mark a task not applicable to this release, saying why',
        params: taskParams,
        querystring: appOnlyQuery,
        body: z.object({ reason, version: taskVersion }).strict(),
        response: { 200: checklistTaskSchema, ...errorResponses },
      },
    },
    async (req) =>
      skipTask(deps, actorOf(req), { app: req.query.app, name: req.params.name }, req.params.task, {
        reason: req.body.reason,
        expectedVersion: req.body.version,
      }),
  );

  app.post(
    '/releases/:name/checklist/:task/waive',
    {
      schema: {
        tags: ['checklist'],
        summary:
          'Let one transition the task is required before go ahead while it is open (checklist.waive), saying why; the task stays open',
        params: taskParams,
        querystring: appOnlyQuery,
        body: z.object({ transition: identifier, reason }).strict(),
        response: { 200: checklistTaskSchema, ...errorResponses },
      },
    },
    async (req) => waiveTask(deps, actorOf(req), { app: req.query.app, name: req.params.name }, req.params.task, req.body),
  );

  app.put(
    '/releases/:name/milestones/:milestone',
    {
      schema: {
        tags: ['checklist'],
        summary: 'Set the date of a milestone of the release (release.update); the open tasks due relative to it move with it',
        params: releaseNameParam.extend({ milestone: identifier }),
        querystring: appOnlyQuery,
        body: z.object({ date: calendarDate }).strict(),
        response: { 200: checklistSchema, ...errorResponses },
      },
    },
    async (req) => setMilestone(deps, actorOf(req), { app: req.query.app, name: req.params.name }, req.params.milestone, req.body),
  );

  app.get(
    '/checklist',
    {
      schema: {
        tags: ['checklist'],
        summary: 'Open checklist tasks of releases still going on, earliest due first; mine: of roles you hold; overdue: overdue only',
        querystring: z
          .object({
            app: appQuery,
            mine: flag.optional(),
            overdue: flag.optional(),
            release: z.string().min(1).max(64).optional(),
          })
          .strict(),
        response: { 200: z.array(checklistTaskSchema), ...errorResponses },
      },
    },
    async (req) => openChecklistTasks(deps, actorOf(req), req.query),
  );

  const evidenceParams = taskParams.extend({ fileName: z.string().min(1).max(255) });

  app.put(
    '/releases/:name/checklist/:task/evidence/:fileName',
    {
      ...rawUpload,
      schema: {
        tags: ['checklist'],
        summary: 'Attach a file (raw bytes, Content-Type application/octet-stream) as the task’s evidence; a later file replaces it',
        consumes: ['application/octet-stream'],
        body: z.unknown().describe('The file’s bytes, streamed'),
        params: evidenceParams,
        querystring: appOnlyQuery,
        response: { 200: checklistTaskSchema, ...errorResponses },
      },
    },
    async (req, reply) => {
      const body = rawBody(req, reply);
      if (!body) return reply;
      return attachEvidenceFile(
        deps,
        artifacts,
        actorOf(req),
        { app: req.query.app, name: req.params.name },
        {
          task: req.params.task,
          fileName: req.params.fileName,
          body,
          maxBytes: maxUploadBytes,
        },
      );
    },
  );

  app.get(
    '/releases/:name/checklist/:task/evidence/:fileName',
    {
      config: { signInRedirect: true },
      schema: {
        tags: ['checklist'],
        summary: 'Download a task’s evidence file; its checksum is verified first and sent as X-Checksum-SHA256',
        produces: ['application/octet-stream', 'application/problem+json'],
        params: evidenceParams,
        querystring: appOnlyQuery,
        response: { 200: z.string().meta({ format: 'binary' }).describe('The file’s bytes'), ...errorResponses },
      },
    },
    async (req, reply) => {
      const ref = { app: req.query.app, name: req.params.name };
      const f = await openEvidenceFile(deps, artifacts, ref, { task: req.params.task, fileName: req.params.fileName });
      const safeName = f.fileName.replace(/[^A-Za-z0-9._-]/g, '_');
      reply
        .type('application/octet-stream')
        .header('content-length', String(f.size))
        .header('x-checksum-sha256', f.sha256)
        .header('content-disposition', `attachment; filename="${safeName}"`);
      // A stream is piped as is; the 200 schema only documents the bytes.
      return reply.send(f.stream as unknown as string);
    },
  );
};
