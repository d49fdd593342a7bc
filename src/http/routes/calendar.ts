import type { FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { WEEKDAYS } from '../../domain/template/schema.js';
import { addBlackout, listBlackouts, removeBlackout } from '../../services/calendar/blackouts.js';
import { listConflicts } from '../../services/calendar/conflicts.js';
import { previewCycleMove } from '../../services/calendar/cycle-move-preview.js';
import { cancelCycle, createCycle, listCycles, moveCycle } from '../../services/calendar/cycles.js';
import { calendarFeed, createFeedToken, feedTokenStatus, revokeFeedToken } from '../../services/calendar/feed.js';
import { overrideBlackout } from '../../services/calendar/schedule.js';
import type { RouteOptions } from '../app.js';
import { actorOf } from '../auth.js';
import { appQuery, calendarDate, errorResponses, identifier, text, versionField } from '../schemas/common.js';

const reason = z.string().trim().min(1).max(2000);
const appOnly = z.object({ app: appQuery }).strict();
const range = z
  .object({
    app: appQuery,
    from: calendarDate.optional().describe('On or after this date'),
    to: calendarDate.optional().describe('On or before this date'),
  })
  .strict();
const dateParam = z.object({ date: calendarDate });

export const cycleSchema = z.object({
  id: z.string(),
  application: z.string(),
  date: z.string(),
  weekday: z.enum(WEEKDAYS),
  designatedDay: z.boolean().describe('Whether the date is one of the template’s change-cycle days'),
  status: z.enum(['planned', 'cancelled']),
  title: z.string(),
  note: z.string().describe('The reason of the last move or of the cancellation'),
  releases: z.array(z.object({ name: z.string(), type: z.string(), state: z.string(), title: z.string(), channels: z.array(z.string()) })),
  createdBy: z.string(),
  createdAt: z.string(),
  updatedAt: z.string(),
  version: z.number().int(),
});

const blackoutSchema = z.object({
  id: z.string(),
  application: z.string(),
  from: z.string(),
  to: z.string(),
  channel: z.string().nullable(),
  environment: z.string().nullable(),
  reason: z.string(),
  effect: z
    .enum(['blocks', 'warns'])
    .describe('blocks: no release it concerns may be planned in it; warns: a non-production environment, shown only'),
  releases: z.array(z.object({ name: z.string(), plannedDate: z.string(), overridden: z.boolean() })),
  createdBy: z.string(),
  createdAt: z.string(),
});

const windowSchema = z.object({
  id: z.string(),
  startsOn: z.string(),
  endsOn: z.string(),
  channel: z.string().nullable(),
  environment: z.string().nullable(),
  reason: z.string(),
});

const conflictSchema = z.object({
  kind: z.enum(['channel', 'elements', 'cycle-blackout', 'release-blackout']),
  date: z.string(),
  cycle: z.string().nullable(),
  releases: z.array(z.string()),
  message: z.string(),
  channel: z.string().optional(),
  elements: z.array(z.object({ type: z.string(), name: z.string(), items: z.array(z.string()) })).optional(),
  blackout: windowSchema.optional(),
  effect: z.enum(['blocks', 'warns']).optional(),
  overridden: z.boolean().optional(),
});

const overrideSchema = z.object({
  release: z.string(),
  plannedDate: z.string(),
  override: z.object({ reason: z.string(), by: z.string(), at: z.string(), date: z.string(), blackouts: z.array(z.string()) }),
  blackouts: z.array(z.object({ id: z.string(), from: z.string(), to: z.string(), reason: z.string() })),
  version: z.number().int(),
});

/**
 * Where people reach this server: the public URL (RELMAN_PUBLIC_URL, or the
 * listening address), except that a wildcard listening address (0.0.0.0, ::)
 * is no address for a calendar client; then the host the request came to.
 */
function baseUrl(publicUrl: string | undefined, req: FastifyRequest): string {
  const wildcard = publicUrl !== undefined && /^https?:\/\/(0\.0\.0\.0|\[::\])(:\d+)?(\/|$)/.test(publicUrl);
  return (publicUrl !== undefined && !wildcard ? publicUrl : `${req.protocol}://${req.host}`).replace(/\/+$/, '');
}

export const calendarRoutes: FastifyPluginAsyncZod<RouteOptions> = async (app, { deps }) => {
  app.get(
    '/cycles',
    {
      schema: {
        tags: ['calendar'],
        summary: 'List change cycles in a date range, each with the releases booked into it',
        querystring: range,
        response: { 200: z.object({ items: z.array(cycleSchema) }), ...errorResponses },
      },
    },
    async (req) => listCycles(deps, req.query),
  );

  app.post(
    '/cycles',
    {
      schema: {
        tags: ['calendar'],
        summary: 'Plan a change cycle on a designated day (or a one-off date); the releases already planned on it are booked into it',
        body: z
          .object({
            app: appQuery,
            date: calendarDate,
            oneOff: z.boolean().optional().describe('A date that is not one of the template’s cycle days'),
            title: text(200).optional(),
            note: text(2000).optional(),
            bookPlanned: z
              .boolean()
              .optional()
              .describe('Book the releases already planned on that date and in no planned cycle (default true)'),
          })
          .strict(),
        response: {
          201: cycleSchema.extend({ booked: z.array(z.string()).describe('Releases booked into the new cycle') }),
          ...errorResponses,
        },
      },
    },
    async (req, reply) => reply.code(201).send(await createCycle(deps, actorOf(req), req.body)),
  );

  app.post(
    '/cycles/:date/move',
    {
      schema: {
        tags: ['calendar'],
        summary: 'Move a change cycle with its releases and their checklist dates; owners are told',
        params: dateParam,
        querystring: appOnly,
        body: z
          .object({
            to: calendarDate,
            reason,
            blackoutOverrideReason: reason.optional().describe('Move onto a blackout anyway (blackout.override, allowed release types)'),
            version: versionField,
          })
          .strict(),
        response: { 200: cycleSchema, ...errorResponses },
      },
    },
    async (req) =>
      moveCycle(
        deps,
        actorOf(req),
        { app: req.query.app, date: req.params.date },
        {
          to: req.body.to,
          reason: req.body.reason,
          blackoutOverrideReason: req.body.blackoutOverrideReason,
          expectedVersion: req.body.version,
        },
      ),
  );

  app.get(
    '/cycles/:date/move-preview',
    {
      schema: {
        tags: ['calendar'],
        summary: 'What moving a change cycle would do, without moving it: the releases, their new checklist due dates, who is told',
        params: dateParam,
        querystring: z.object({ app: appQuery, to: calendarDate.describe('The new date') }).strict(),
        response: {
          200: z.object({
            from: z.string(),
            to: z.string(),
            blackout: z.string().nullable().describe('Why the move needs a blackout override; null when nothing blocks'),
            releases: z.array(
              z.object({
                name: z.string(),
                title: z.string(),
                plannedDate: z.string().describe('The planned date now'),
                tasks: z.array(z.object({ task: z.string(), title: z.string(), from: z.string().nullable(), to: z.string().nullable() })),
                told: z.array(z.string()).describe('Addresses the cycle-moved mail goes to'),
              }),
            ),
            version: z.number().int(),
          }),
          ...errorResponses,
        },
      },
    },
    async (req) => previewCycleMove(deps, actorOf(req), { app: req.query.app, date: req.params.date }, req.query.to),
  );

  app.post(
    '/cycles/:date/cancel',
    {
      schema: {
        tags: ['calendar'],
        summary: 'Cancel a change cycle; its releases keep their dates but are no longer booked',
        params: dateParam,
        querystring: appOnly,
        body: z.object({ reason, version: versionField }).strict(),
        response: { 200: cycleSchema, ...errorResponses },
      },
    },
    async (req) =>
      cancelCycle(
        deps,
        actorOf(req),
        { app: req.query.app, date: req.params.date },
        { reason: req.body.reason, expectedVersion: req.body.version },
      ),
  );

  app.get(
    '/blackouts',
    {
      schema: {
        tags: ['calendar'],
        summary: 'List blackout windows touching a date range, with the releases planned inside them',
        querystring: range,
        response: { 200: z.object({ items: z.array(blackoutSchema) }), ...errorResponses },
      },
    },
    async (req) => listBlackouts(deps, req.query),
  );

  app.post(
    '/blackouts',
    {
      schema: {
        tags: ['calendar'],
        summary: 'Add a blackout window (a date or range, optionally for one channel or environment)',
        body: z
          .object({
            app: appQuery,
            from: calendarDate,
            to: calendarDate.optional().describe('Last day, inclusive; the same as from when absent'),
            channel: identifier.optional(),
            environment: identifier.optional(),
            reason,
          })
          .strict(),
        response: { 201: blackoutSchema, ...errorResponses },
      },
    },
    async (req, reply) => reply.code(201).send(await addBlackout(deps, actorOf(req), req.body)),
  );

  app.delete(
    '/blackouts/:id',
    {
      schema: {
        tags: ['calendar'],
        summary: 'Remove a blackout window',
        params: z.object({ id: z.uuid() }),
        querystring: appOnly,
        response: { 204: z.null().describe('Removed'), ...errorResponses },
      },
    },
    async (req, reply) => {
      await removeBlackout(deps, actorOf(req), req.query.app, req.params.id);
      return reply.code(204).send(null);
    },
  );

  app.get(
    '/calendar/conflicts',
    {
      schema: {
        tags: ['calendar'],
        summary: 'Scheduling conflicts: one channel twice in a cycle, shared elements, cycles and releases on blackouts',
        querystring: range,
        response: { 200: z.object({ from: z.string(), to: z.string(), items: z.array(conflictSchema) }), ...errorResponses },
      },
    },
    async (req) => listConflicts(deps, req.query),
  );

  app.put(
    '/releases/:name/blackout-override',
    {
      schema: {
        tags: ['calendar'],
        summary: 'Record a blackout override for a release planned before the window was added',
        params: z.object({ name: z.string().min(1).max(64) }),
        querystring: appOnly,
        body: z.object({ reason, version: versionField }).strict(),
        response: { 200: overrideSchema, ...errorResponses },
      },
    },
    async (req) =>
      overrideBlackout(
        deps,
        actorOf(req),
        { app: req.query.app, name: req.params.name },
        { reason: req.body.reason, expectedVersion: req.body.version },
      ),
  );

  app.get(
    '/calendar/feed-token',
    {
      schema: {
        tags: ['calendar'],
        summary: 'Whether you have a calendar feed URL (the URL itself is shown only when it is created)',
        response: {
          200: z.object({ exists: z.boolean(), createdAt: z.string().nullable(), lastUsedAt: z.string().nullable() }),
          ...errorResponses,
        },
      },
    },
    async (req) => feedTokenStatus(deps, actorOf(req)),
  );

  app.post(
    '/calendar/feed-token',
    {
      schema: {
        tags: ['calendar'],
        summary: 'Create (or replace) your secret calendar feed URL; it is shown once',
        body: z
          .strictObject({
            replace: z
              .boolean()
              .default(true)
              .describe('false: keep an existing feed URL and answer 409 feed-exists instead of replacing it'),
          })
          .describe('Send {} to create or replace'),
        response: {
          201: z.object({ url: z.string(), token: z.string(), createdAt: z.string() }).describe('Subscribe to url in your calendar'),
          ...errorResponses,
        },
      },
    },
    async (req, reply) => {
      const t = await createFeedToken(deps, actorOf(req), { replace: req.body.replace });
      return reply.code(201).send({ url: `${baseUrl(deps.publicUrl, req)}${t.path}`, token: t.token, createdAt: t.createdAt });
    },
  );

  app.delete(
    '/calendar/feed-token',
    {
      schema: {
        tags: ['calendar'],
        summary: 'Revoke your calendar feed URL',
        response: { 204: z.null().describe('Revoked'), ...errorResponses },
      },
    },
    async (req, reply) => {
      await revokeFeedToken(deps, actorOf(req));
      return reply.code(204).send(null);
    },
  );

  app.get(
    '/calendar.ics',
    {
      config: { public: true },
      // Also on the 404 and 400 answers: nothing about a feed URL is kept by a proxy or browser.
      onRequest: async (_req, reply) => {
        reply.header('cache-control', 'no-store');
      },
      schema: {
        tags: ['calendar'],
        summary: 'Your iCalendar feed (cycles, blackouts, releases, your checklist tasks); the secret token authenticates',
        security: [],
        produces: ['text/calendar', 'application/problem+json'],
        querystring: z.object({ token: z.string().min(1).max(200) }).strict(),
        response: { 200: z.string().describe('text/calendar'), ...errorResponses },
      },
    },
    async (req, reply) => {
      const body = await calendarFeed(deps, req.query.token);
      reply.type('text/calendar; charset=utf-8');
      return reply.send(body);
    },
  );
};
