import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { createApplication, getApplication, listApplicationViews } from '../../services/applications.js';
import type { RouteOptions } from '../app.js';
import { actorOf } from '../auth.js';
import { errorResponses, identifier } from '../schemas/common.js';
import { applicationSchema } from '../schemas/views.js';

export const applicationRoutes: FastifyPluginAsyncZod<RouteOptions> = async (app, { deps }) => {
  app.get(
    '/applications',
    {
      schema: {
        tags: ['applications'],
        summary: 'List applications (systems) and the template each runs under',
        response: { 200: z.object({ items: z.array(applicationSchema) }), ...errorResponses },
      },
    },
    async () => ({ items: await listApplicationViews(deps) }),
  );

  app.get(
    '/applications/:key',
    {
      schema: {
        tags: ['applications'],
        summary: 'Show an application',
        params: z.object({ key: identifier }),
        response: { 200: applicationSchema, ...errorResponses },
      },
    },
    async (req) => getApplication(deps, req.params.key),
  );

  app.post(
    '/applications',
    {
      schema: {
        tags: ['applications'],
        summary: 'Create an application under a published template (admin)',
        body: z
          .object({
            key: identifier,
            name: z.string().min(1).max(200),
            templateKey: identifier,
            namingParameters: z.record(z.string().max(40), z.string().max(40)).optional(),
            isDefault: z.boolean().optional(),
          })
          .strict(),
        response: { 201: applicationSchema, ...errorResponses },
      },
    },
    async (req, reply) => reply.code(201).send(await createApplication(deps, actorOf(req), req.body)),
  );
};
