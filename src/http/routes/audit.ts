import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { Readable } from 'node:stream';
import { auditCsv } from '../../services/audit-csv.js';
import { listAuditEvents } from '../../services/audit-read.js';
import { checkAuditChain } from '../../services/audit-verify.js';
import type { RouteOptions } from '../app.js';
import { appQuery, errorResponses, intParam } from '../schemas/common.js';
import { auditEventSchema } from '../schemas/views.js';

const isoTime = z.union([z.iso.datetime({ offset: true }), z.iso.date()], {
  error: 'must be a date (YYYY-MM-DD) or a date-time with its offset (2030-01-07T09:00:00Z)',
});

const auditFilterQuery = z.object({
  app: appQuery,
  actor: z.string().min(1).max(200).optional(),
  action: z.string().min(1).max(100).optional(),
  subjectType: z.string().min(1).max(50).optional(),
  subjectId: z
    .string()
    .min(1)
    .max(200)
    .optional()
    .describe('Subject id, e.g. cms-net/CFIS001; a release may be given by its name alone, in any case'),
  from: isoTime.optional().describe('At or after (ISO date or date-time)'),
  to: isoTime.optional().describe('Before (ISO date or date-time)'),
});

export const auditRoutes: FastifyPluginAsyncZod<RouteOptions> = async (app, { deps }) => {
  app.get(
    '/audit',
    {
      schema: {
        tags: ['audit'],
        summary: 'Audit events, oldest first; page with afterSeq',
        querystring: auditFilterQuery
          .extend({
            afterSeq: intParam(0).optional(),
            limit: intParam(1, 1000).default(100),
          })
          .strict(),
        response: { 200: z.object({ items: z.array(auditEventSchema), nextAfterSeq: z.number().int().nullable() }), ...errorResponses },
      },
    },
    async (req) => {
      const q = req.query;
      const norm = (t: string | undefined) => (t === undefined ? undefined : new Date(t).toISOString());
      return listAuditEvents(deps, { ...q, from: norm(q.from), to: norm(q.to) });
    },
  );

  app.get(
    '/audit/verify',
    {
      schema: {
        tags: ['audit'],
        summary: 'Check the whole audit chain: every event unaltered, none removed or inserted; else the first event that does not hold',
        response: {
          200: z.object({
            ok: z.boolean(),
            events: z.number().int().describe('Events that hold (all of them when ok, else those before the first bad one)'),
            head: z.string().nullable().describe('The hash of the last event; null when the chain does not hold'),
            firstBad: z
              .object({
                seq: z.number().int(),
                id: z.string().nullable().describe('null when the event is missing'),
                at: z.string().nullable(),
                action: z.string().nullable(),
                reason: z.string(),
              })
              .nullable()
              .describe('The first event that does not hold; null when ok'),
          }),
          ...errorResponses,
        },
      },
    },
    async () => checkAuditChain(deps),
  );

  app.get(
    '/audit.csv',
    {
      config: { signInRedirect: true },
      schema: {
        tags: ['audit'],
        summary:
          'The filtered audit events as CSV, oldest first: seq, at, actor, action, subjectType, subjectId, before, after (JSON); cells a spreadsheet would read as a formula start with a quote',
        produces: ['text/csv', 'application/problem+json'],
        querystring: auditFilterQuery.strict(),
        response: { 200: z.string().describe('CSV with a header row'), ...errorResponses },
      },
    },
    async (req, reply) => {
      const q = req.query;
      const norm = (t: string | undefined) => (t === undefined ? undefined : new Date(t).toISOString());
      const stream = Readable.from(auditCsv(deps, { ...q, from: norm(q.from), to: norm(q.to) }));
      reply.type('text/csv; charset=utf-8').header('content-disposition', 'attachment; filename="audit.csv"');
      // A stream is piped as is; the 200 schema only documents the text.
      return reply.send(stream as unknown as string);
    },
  );
};
