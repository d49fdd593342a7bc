import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { MANUAL_NOTICE_MEANS } from '../../domain/lifecycle/notifications.js';
import { decideApproval, listApprovals, requestApproval } from '../../services/lifecycle/approvals.js';
import { releaseEvidence } from '../../services/lifecycle/evidence-read.js';
import {
  raiseIssue,
  recordNotification,
  recordPackage,
  recordStep,
  recordTestAttempt,
  resolveIssue,
  writeReport,
} from '../../services/lifecycle/evidence.js';
import { performTransition, releaseGates, releaseHistory } from '../../services/lifecycle/transitions.js';
import { releaseRoad } from '../../services/lifecycle/road.js';
import { helpdeskRefSchema } from '../../domain/helpdesk-ref.js';
import type { RouteOptions } from '../app.js';
import { actorOf } from '../auth.js';
import { appQuery, errorResponses, identifier, intParam, text, versionField } from '../schemas/common.js';
import {
  approvalRequestSchema,
  decisionSchema,
  approvalStepSchema,
  gatesViewSchema,
  issueSchema,
  notificationSchema,
  packageRecordedSchema,
  releaseEvidenceSchema,
  reportSchema,
  roadViewSchema,
  stepRecordSchema,
  testAttemptSchema,
  transitionRecordSchema,
} from '../schemas/lifecycle.js';

const releaseNameParam = z.object({ name: z.string().min(1).max(64) });
const appOnlyQuery = z.object({ app: appQuery }).strict();
const comment = text(4000);
const note = text(4000);
const MAX_REPORT_PARTS = 50;

/** Gates, transitions, history and approvals of one release (P7, P11, P15). */
export const releaseLifecycleRoutes: FastifyPluginAsyncZod<RouteOptions> = async (app, { deps }) => {
  app.get(
    '/releases/:name/gates',
    {
      schema: {
        tags: ['lifecycle'],
        summary: 'The transitions out of the release’s current state, each gate with pass/fail, reasons and evidence',
        params: releaseNameParam,
        querystring: appOnlyQuery,
        response: { 200: gatesViewSchema, ...errorResponses },
      },
    },
    async (req) => releaseGates(deps, actorOf(req), { app: req.query.app, name: req.params.name }),
  );

  app.get(
    '/releases/:name/road',
    {
      schema: {
        tags: ['lifecycle'],
        summary: 'The road to production: every transition still ahead of the release, each gate evaluated against its facts now',
        params: releaseNameParam,
        querystring: appOnlyQuery,
        response: { 200: roadViewSchema, ...errorResponses },
      },
    },
    async (req) => releaseRoad(deps, actorOf(req), { app: req.query.app, name: req.params.name }),
  );

  app.post(
    '/releases/:name/transitions',
    {
      schema: {
        tags: ['lifecycle'],
        summary: 'Move the release along a transition of its workflow; refused (409 gates-not-satisfied) with every unmet condition',
        params: releaseNameParam,
        querystring: appOnlyQuery,
        body: z.object({ transition: identifier, comment: comment.optional(), version: versionField }).strict(),
        response: { 201: transitionRecordSchema, ...errorResponses },
      },
    },
    async (req, reply) => {
      const { transition, comment: why, version } = req.body;
      const done = await performTransition(
        deps,
        actorOf(req),
        { app: req.query.app, name: req.params.name },
        {
          transition,
          comment: why,
          expectedVersion: version,
        },
      );
      return reply.code(201).send(done);
    },
  );

  app.get(
    '/releases/:name/history',
    {
      schema: {
        tags: ['lifecycle'],
        summary: 'Every transition the release went through, oldest first, with the evidence each one was performed on',
        params: releaseNameParam,
        querystring: appOnlyQuery,
        response: { 200: z.array(transitionRecordSchema), ...errorResponses },
      },
    },
    async (req) => releaseHistory(deps, { app: req.query.app, name: req.params.name }),
  );

  app.get(
    '/releases/:name/approvals',
    {
      schema: {
        tags: ['lifecycle'],
        summary: 'Every approval step of the template with who approved it, who requested it and every decision',
        params: releaseNameParam,
        querystring: appOnlyQuery,
        response: { 200: z.array(approvalStepSchema), ...errorResponses },
      },
    },
    async (req) => listApprovals(deps, { app: req.query.app, name: req.params.name }),
  );

  app.post(
    '/releases/:name/approvals',
    {
      schema: {
        tags: ['lifecycle'],
        summary: 'Approve or reject an approval step; whoever requested it may not decide it, a rejection needs a comment',
        params: releaseNameParam,
        querystring: appOnlyQuery,
        body: z
          .object({
            step: identifier,
            decision: z.enum(['approve', 'reject']),
            comment: comment.optional(),
            attestations: z.array(identifier).max(50).optional().describe('Ids of the statements the approver confirms'),
            advance: z
              .boolean()
              .optional()
              .describe(
                'With an approval: then take the one transition from the current state it completes, in the same transaction, if you may and every gate holds',
              ),
            version: versionField,
          })
          .strict(),
        response: { 201: decisionSchema, ...errorResponses },
      },
    },
    async (req, reply) => {
      const { version, ...decision } = req.body;
      const view = await decideApproval(
        deps,
        actorOf(req),
        { app: req.query.app, name: req.params.name },
        { ...decision, expectedVersion: version },
      );
      return reply.code(201).send(view);
    },
  );

  app.post(
    '/releases/:name/approvals/:step/requests',
    {
      schema: {
        tags: ['lifecycle'],
        summary: 'Ask for an approval and e-mail the people who may give it; the requester may then not give it (separation of duties)',
        params: releaseNameParam.extend({ step: identifier }),
        querystring: appOnlyQuery,
        body: z.object({ comment: comment.optional() }).strict(),
        response: { 201: approvalRequestSchema, ...errorResponses },
      },
    },
    async (req, reply) => {
      const input = { step: req.params.step, comment: req.body.comment };
      return reply.code(201).send(await requestApproval(deps, actorOf(req), { app: req.query.app, name: req.params.name }, input));
    },
  );

  app.get(
    '/releases/:name/evidence',
    {
      schema: {
        tags: ['lifecycle'],
        summary: 'Everything recorded on the release: packages, test attempts, issues, notices, reports, per-channel steps',
        params: releaseNameParam,
        querystring: appOnlyQuery,
        response: { 200: releaseEvidenceSchema, ...errorResponses },
      },
    },
    async (req) => releaseEvidence(deps, { app: req.query.app, name: req.params.name }),
  );

  app.post(
    '/releases/:name/packages',
    {
      schema: {
        tags: ['lifecycle'],
        summary: 'Record a new package version for a channel; voids the approvals the template says a new package voids',
        params: releaseNameParam,
        querystring: appOnlyQuery,
        body: z.object({ channel: identifier, label: z.string().trim().min(1).max(200) }).strict(),
        response: { 201: packageRecordedSchema, ...errorResponses },
      },
    },
    async (req, reply) =>
      reply.code(201).send(await recordPackage(deps, actorOf(req), { app: req.query.app, name: req.params.name }, req.body)),
  );

  app.post(
    '/releases/:name/tests',
    {
      schema: {
        tags: ['lifecycle'],
        summary: 'Record a test attempt of a work item in an environment; a failure needs its cause (P8)',
        params: releaseNameParam,
        querystring: appOnlyQuery,
        body: z
          .object({
            item: z.string().min(1).max(40).describe('IR-12, SMCR-3 … or just the number when only one kind has it'),
            environment: identifier,
            result: z.enum(['passed', 'failed']),
            cause: identifier.optional().describe('Why it failed: a failure cause of the template'),
            notes: note.optional(),
          })
          .strict(),
        response: { 201: testAttemptSchema, ...errorResponses },
      },
    },
    async (req, reply) =>
      reply.code(201).send(await recordTestAttempt(deps, actorOf(req), { app: req.query.app, name: req.params.name }, req.body)),
  );

  app.post(
    '/releases/:name/issues',
    {
      schema: {
        tags: ['lifecycle'],
        summary: 'Raise an issue on the release (an issue found in acceptance test, a pending project issue …)',
        params: releaseNameParam,
        querystring: appOnlyQuery,
        body: z.object({ category: identifier, title: z.string().trim().min(1).max(300), description: text(20_000).optional() }).strict(),
        response: { 201: issueSchema, ...errorResponses },
      },
    },
    async (req, reply) =>
      reply.code(201).send(await raiseIssue(deps, actorOf(req), { app: req.query.app, name: req.params.name }, req.body)),
  );

  app.patch(
    '/releases/:name/issues/:number',
    {
      schema: {
        tags: ['lifecycle'],
        summary: 'Resolve an issue, close it as won’t fix (with a reason) or reopen it',
        params: releaseNameParam.extend({ number: intParam(1, 1_000_000) }),
        querystring: appOnlyQuery,
        body: z.object({ status: z.enum(['resolved', 'wont-fix', 'open']), resolution: text(4000).optional() }).strict(),
        response: { 200: issueSchema, ...errorResponses },
      },
    },
    async (req) => resolveIssue(deps, actorOf(req), { app: req.query.app, name: req.params.name }, req.params.number, req.body),
  );

  app.post(
    '/releases/:name/notifications',
    {
      schema: {
        tags: ['lifecycle'],
        summary:
          'Record that an external (upstream or downstream) system was notified of the release outside relman (by phone, in a meeting, otherwise), with a note',
        params: releaseNameParam,
        querystring: appOnlyQuery,
        body: z
          .object({
            system: identifier,
            means: z.enum(MANUAL_NOTICE_MEANS).describe('How the notice was made'),
            note: note.refine((v) => v.trim() !== '', 'say who was told, and what'),
          })
          .strict(),
        response: { 201: notificationSchema, ...errorResponses },
      },
    },
    async (req, reply) =>
      reply.code(201).send(await recordNotification(deps, actorOf(req), { app: req.query.app, name: req.params.name }, req.body)),
  );

  app.put(
    '/releases/:name/reports/:report',
    {
      schema: {
        tags: ['lifecycle'],
        summary: 'Write (or rewrite) a report such as the Emergency Release Report; the audit keeps every version',
        params: releaseNameParam.extend({ report: identifier }),
        querystring: appOnlyQuery,
        body: z
          .object({
            parts: z
              .record(identifier, text(20_000))
              .refine((p) => Object.keys(p).length <= MAX_REPORT_PARTS, `at most ${MAX_REPORT_PARTS} parts`)
              .describe('Text per report part id'),
            helpdeskRefs: z.array(helpdeskRefSchema).max(100).optional().describe('Help-desk records (IR/DR) it refers to'),
          })
          .strict(),
        response: { 200: reportSchema, ...errorResponses },
      },
    },
    async (req) => writeReport(deps, actorOf(req), { app: req.query.app, name: req.params.name }, req.params.report, req.body),
  );

  app.post(
    '/releases/:name/steps',
    {
      schema: {
        tags: ['lifecycle'],
        summary: 'Record a per-channel step (package verified, deployed, deployment confirmed …) by a role responsible for it (P10)',
        params: releaseNameParam,
        querystring: appOnlyQuery,
        body: z.object({ step: identifier, channel: identifier, note: note.optional() }).strict(),
        response: { 201: stepRecordSchema, ...errorResponses },
      },
    },
    async (req, reply) =>
      reply.code(201).send(await recordStep(deps, actorOf(req), { app: req.query.app, name: req.params.name }, req.body)),
  );
};
