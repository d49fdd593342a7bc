import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { RouteOptions } from '../app.js';

const status = z.object({ status: z.string(), detail: z.string().optional() });

export const healthRoutes: FastifyPluginAsyncZod<RouteOptions> = async (app, { deps }) => {
  app.get(
    '/healthz',
    { config: { public: true }, schema: { tags: ['health'], summary: 'The process is up', security: [], response: { 200: status } } },
    () => ({
      status: 'ok',
    }),
  );
  app.get(
    '/readyz',
    {
      config: { public: true },
      schema: { tags: ['health'], summary: 'The database answers', security: [], response: { 200: status, 503: status } },
    },
    async (_req, reply) => {
      try {
        await deps.database.ping();
        return { status: 'ready' };
      } catch (err) {
        return reply.code(503).send({ status: 'unavailable', detail: `database: ${(err as Error).message}` });
      }
    },
  );
};
