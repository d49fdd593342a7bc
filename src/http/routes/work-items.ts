import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { assignWorkItem, createWorkItem, getWorkItem, listWorkItemViews, updateWorkItem } from '../../services/work-items.js';
import { workItemHistory } from '../../services/work-item-history.js';
import { helpdeskRefSchema } from '../../domain/helpdesk-ref.js';
import type { RouteOptions } from '../app.js';
import { actorOf } from '../auth.js';
import { appQuery, csvList, errorResponses, identifier, pageOf, pageQuery, text, versionField } from '../schemas/common.js';
import { elementSchema, workItemDetailSchema, workItemSchema } from '../schemas/views.js';

const keyParam = z.object({ key: z.string().min(1).max(40).describe('IR-12, SMCR-3 … or just the number when only one kind has it') });
const elements = z.array(elementSchema).max(5000);
const owner = identifier.nullable();

export const workItemRoutes: FastifyPluginAsyncZod<RouteOptions> = async (app, { deps }) => {
  app.get(
    '/items',
    {
      schema: {
        tags: ['items'],
        summary: 'List work items',
        querystring: z
          .object({
            app: appQuery,
            kind: csvList.optional().describe('Comma-separated kinds (IR, SMCR, DR)'),
            release: z.string().min(1).max(64).optional().describe('A release name, or `none` for unassigned items'),
            owner: identifier.optional(),
            priority: identifier.optional(),
            q: z.string().min(1).max(200).optional().describe('Text in key (IR-12), title or help-desk reference, any case'),
            ...pageQuery,
          })
          .strict(),
        response: { 200: pageOf(workItemSchema), ...errorResponses },
      },
    },
    async (req) => listWorkItemViews(deps, { ...req.query, kinds: req.query.kind, text: req.query.q }),
  );

  app.post(
    '/items',
    {
      schema: {
        tags: ['items'],
        summary: 'Create a work item (IR, SMCR, DR …)',
        body: z
          .object({
            app: appQuery,
            kind: z.string().min(1).max(20),
            helpdeskRef: helpdeskRefSchema,
            title: z.string().min(1).max(300),
            description: text(20_000).optional(),
            owner: owner.optional(),
            priority: identifier.optional(),
            elements: elements.optional(),
          })
          .strict(),
        response: { 201: workItemSchema, ...errorResponses },
      },
    },
    async (req, reply) => reply.code(201).send(await createWorkItem(deps, actorOf(req), req.body)),
  );

  app.get(
    '/items/:key',
    {
      schema: {
        tags: ['items'],
        summary: 'Show a work item with its test history across releases',
        params: keyParam,
        querystring: z.object({ app: appQuery }).strict(),
        response: { 200: workItemDetailSchema, ...errorResponses },
      },
    },
    async (req) => getWorkItem(deps, { app: req.query.app, key: req.params.key }),
  );

  app.get(
    '/items/:key/history',
    {
      schema: {
        tags: ['items'],
        summary: 'The releases a work item was in, with dates, and every test attempt of it per environment',
        params: keyParam,
        querystring: z.object({ app: appQuery }).strict(),
        response: {
          200: z.object({
            item: z.string(),
            releases: z
              .array(
                z.object({
                  release: z.string(),
                  from: z.string().describe('When it was put in the release'),
                  until: z.string().nullable().describe('When it left; null while it is there'),
                  current: z.boolean(),
                }),
              )
              .describe('Oldest first; a release it came back to appears again'),
            tests: z
              .array(
                z.object({
                  release: z.string(),
                  environment: z.string(),
                  result: z.enum(['passed', 'failed']),
                  cause: z.string().nullable(),
                  by: z.string(),
                  at: z.string(),
                }),
              )
              .describe('Every test attempt, in any release, oldest first'),
          }),
          ...errorResponses,
        },
      },
    },
    async (req) => workItemHistory(deps, { app: req.query.app, key: req.params.key }),
  );

  app.patch(
    '/items/:key',
    {
      schema: {
        tags: ['items'],
        summary: 'Change a work item',
        params: keyParam,
        querystring: z.object({ app: appQuery }).strict(),
        body: z
          .object({
            helpdeskRef: helpdeskRefSchema.optional(),
            title: z.string().min(1).max(300).optional(),
            description: text(20_000).optional(),
            owner: owner.optional(),
            priority: identifier.optional(),
            elements: elements.optional(),
            version: versionField,
          })
          .strict(),
        response: { 200: workItemSchema, ...errorResponses },
      },
    },
    async (req) =>
      updateWorkItem(deps, actorOf(req), { app: req.query.app, key: req.params.key }, { ...req.body, expectedVersion: req.body.version }),
  );

  app.put(
    '/items/:key/release',
    {
      schema: {
        tags: ['items'],
        summary: 'Attach the item to a release, move it (move: true) or detach it (release: null)',
        params: keyParam,
        querystring: z.object({ app: appQuery }).strict(),
        body: z.object({ release: z.string().min(1).max(64).nullable(), move: z.boolean().optional(), version: versionField }).strict(),
        response: { 200: workItemSchema, ...errorResponses },
      },
    },
    async (req) =>
      assignWorkItem(deps, actorOf(req), { app: req.query.app, key: req.params.key }, { ...req.body, expectedVersion: req.body.version }),
  );
};
