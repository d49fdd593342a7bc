import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { listTemplates, publishTemplate, templateHistory, templateInForce, validateTemplate } from '../../services/templates.js';
import type { RouteOptions } from '../app.js';
import { actorOf } from '../auth.js';
import { errorResponses, identifier, intParam } from '../schemas/common.js';
import { templateVersionSchema, templateVersionSummarySchema } from '../schemas/views.js';

const publishedSchema = templateVersionSummarySchema.extend({
  dryRun: z.boolean(),
  notices: z.array(z.string()).describe('What the publisher should know, e.g. that edited contacts only seed new applications'),
});

export const templateRoutes: FastifyPluginAsyncZod<RouteOptions> = async (app, { deps }) => {
  app.get(
    '/templates',
    {
      schema: {
        tags: ['templates'],
        summary: 'Process templates and the version of each in force',
        response: { 200: z.object({ items: z.array(templateVersionSummarySchema) }), ...errorResponses },
      },
    },
    async () => ({ items: await listTemplates(deps) }),
  );

  app.get(
    '/templates/:key',
    {
      schema: {
        tags: ['templates'],
        summary: 'The version in force of a template (or ?version=N)',
        params: z.object({ key: identifier }),
        querystring: z.object({ version: intParam(1).optional() }).strict(),
        response: { 200: templateVersionSchema, ...errorResponses },
      },
    },
    async (req) => templateInForce(deps, req.params.key, req.query.version),
  );

  app.get(
    '/templates/:key/versions',
    {
      schema: {
        tags: ['templates'],
        summary: 'Version history with document-control metadata, newest first',
        params: z.object({ key: identifier }),
        response: { 200: z.object({ items: z.array(templateVersionSummarySchema) }), ...errorResponses },
      },
    },
    async (req) => ({ items: await templateHistory(deps, req.params.key) }),
  );

  app.post(
    '/templates/validate',
    {
      schema: {
        tags: ['templates'],
        summary:
          'Check a template as publishing would, without publishing it (admin): 422 lists every problem with its path and line; the document-control record is checked when it is published',
        body: z
          .object({
            yaml: z
              .string()
              .min(1)
              .max(1024 * 1024),
          })
          .strict(),
        response: {
          200: z.object({
            ok: z.literal(true),
            key: z.string(),
            inForce: z.number().int().nullable().describe('The version in force of the template with this key, if any'),
            sectionsChanged: z.array(z.string()).describe('Top-level sections that differ from the version in force'),
          }),
          ...errorResponses,
        },
      },
    },
    async (req) => validateTemplate(deps, actorOf(req), req.body.yaml),
  );

  app.post(
    '/templates',
    {
      schema: {
        tags: ['templates'],
        summary:
          'Publish a new template version from YAML (admin); a bad template, or a later version without its own document-control record (changes, preparedBy, reviewedBy), is refused with every problem listed',
        body: z
          .object({
            yaml: z
              .string()
              .min(1)
              .max(1024 * 1024),
            changes: z.string().max(4000).optional(),
            preparedBy: z.string().max(200).optional(),
            reviewedBy: z.string().max(200).optional(),
            dryRun: z.boolean().optional(),
          })
          .strict(),
        response: {
          200: publishedSchema,
          201: publishedSchema,
          ...errorResponses,
        },
      },
    },
    async (req, reply) => {
      const result = await publishTemplate(deps, actorOf(req), req.body);
      return reply.code(result.dryRun ? 200 : 201).send(result);
    },
  );
};
