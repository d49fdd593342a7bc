import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { listAuditEvents } from '../../services/audit-read.js';
import type { RouteOptions } from '../app.js';
import { appQuery, errorResponses, intParam } from '../schemas/common.js';
import { auditEventSchema } from '../schemas/views.js';

const isoTime = z.iso.datetime({ offset: true }).or(z.iso.date());

export const auditRoutes: FastifyPluginAsyncZod<RouteOptions> = async (app, { deps }) => {
  app.get(
    '/audit',
    {
      schema: {
        tags: ['audit'],
        summary: 'Audit events, oldest first; page with afterSeq',
        querystring: z
          .object({
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
};
