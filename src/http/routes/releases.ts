import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { releaseChanges } from '../../services/release-changes.js';
import { createRelease, getRelease, listReleases, updateRelease } from '../../services/releases.js';
import type { RouteOptions } from '../app.js';
import { actorOf } from '../auth.js';
import { appQuery, calendarDate, csvList, errorResponses, identifier, pageOf, pageQuery, text, versionField } from '../schemas/common.js';
import { releaseDetailSchema, releaseSchema } from '../schemas/views.js';

const channels = z.array(identifier).min(1).max(20);
const nameParam = z.object({ name: z.string().min(1).max(64) });
/** Booking into a change cycle and overriding a blackout (see services/calendar/schedule.ts). */
const scheduleFields = {
  cycle: calendarDate.optional().describe('Book into the planned change cycle of this date; the planned date becomes the cycle’s'),
  blackoutOverrideReason: z
    .string()
    .trim()
    .min(1)
    .max(2000)
    .optional()
    .describe('Plan on a blackout anyway: the reason (blackout.override; only the release types the template allows)'),
};

export const releaseRoutes: FastifyPluginAsyncZod<RouteOptions> = async (app, { deps }) => {
  app.get(
    '/releases',
    {
      schema: {
        tags: ['releases'],
        summary: 'List releases, filtered by state, type, channel, planned-date range and a search for a name or help-desk reference',
        querystring: z
          .object({
            app: appQuery,
            state: csvList.optional().describe('Comma-separated states'),
            type: csvList.optional().describe('Comma-separated release types'),
            channel: csvList.optional().describe('Comma-separated channels: releases carrying any of them'),
            q: z
              .string()
              .trim()
              .max(100)
              .optional()
              .describe('Part of the release name, or of the help-desk reference of a work item on it (any case)'),
            from: calendarDate.optional().describe('Planned on or after'),
            to: calendarDate.optional().describe('Planned on or before'),
            ...pageQuery,
          })
          .strict(),
        response: { 200: pageOf(releaseSchema), ...errorResponses },
      },
    },
    async (req) => {
      const { state, type, channel, q, ...rest } = req.query;
      return listReleases(deps, { ...rest, states: state, types: type, channels: channel, text: q });
    },
  );

  app.post(
    '/releases',
    {
      schema: {
        tags: ['releases'],
        summary: 'Create a release; its name comes from the template’s naming pattern',
        body: z
          .object({
            app: appQuery,
            type: identifier,
            plannedDate: calendarDate,
            channels,
            title: text(200).optional(),
            description: text(20_000).optional(),
            ...scheduleFields,
          })
          .strict(),
        response: { 201: releaseSchema, ...errorResponses },
      },
    },
    async (req, reply) => reply.code(201).send(await createRelease(deps, actorOf(req), req.body)),
  );

  app.get(
    '/releases/:name',
    {
      schema: {
        tags: ['releases'],
        summary: 'Show a release with its work items',
        params: nameParam,
        querystring: z.object({ app: appQuery }).strict(),
        response: { 200: releaseDetailSchema, ...errorResponses },
      },
    },
    async (req) => getRelease(deps, { app: req.query.app, name: req.params.name }),
  );

  app.get(
    '/releases/:name/changes',
    {
      schema: {
        tags: ['releases'],
        summary: 'The release’s version and its latest change (who, what, when), for a page to poll',
        params: nameParam,
        querystring: z
          .object({
            app: appQuery,
            since: z
              .union([
                z
                  .string()
                  .regex(/^\d{1,15}$/)
                  .transform((s) => ({ seq: Number(s) })),
                z.iso.datetime({ offset: true }).transform((s) => ({ at: new Date(s).toISOString() })),
              ])
              .optional()
              .describe(
                'Only a change after this audit sequence number (`seq` of a change) or ISO time (lastChange is null when there is none); without it, the latest change',
              ),
          })
          .strict(),
        response: {
          200: z.object({
            version: z.number().int().describe('The release’s version: it moves with every change to the release'),
            lastChange: z
              .object({
                seq: z.number().int().describe('The audit event’s sequence number: pass it as `since` next time'),
                at: z.string(),
                actor: z.string(),
                action: z.string(),
                summary: z.string(),
              })
              .nullable(),
          }),
          ...errorResponses,
        },
      },
    },
    async (req) => releaseChanges(deps, { app: req.query.app, name: req.params.name }, req.query.since),
  );

  app.patch(
    '/releases/:name',
    {
      schema: {
        tags: ['releases'],
        summary: 'Change a release’s title, description, planned date or channels',
        params: nameParam,
        querystring: z.object({ app: appQuery }).strict(),
        body: z
          .object({
            title: text(200).optional(),
            description: text(20_000).optional(),
            plannedDate: calendarDate.optional(),
            channels: channels.optional(),
            ...scheduleFields,
            version: versionField,
          })
          .strict(),
        response: { 200: releaseSchema, ...errorResponses },
      },
    },
    async (req) =>
      updateRelease(deps, actorOf(req), { app: req.query.app, name: req.params.name }, { ...req.body, expectedVersion: req.body.version }),
  );
};
