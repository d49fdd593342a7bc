import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { createToken, listAllTokens, listTokens, revokeToken } from '../../services/auth.js';
import type { RouteOptions } from '../app.js';
import { actorOf } from '../auth.js';
import { errorResponses, identifier, int, queryFlag } from '../schemas/common.js';
import { tokenSchema } from '../schemas/views.js';

export const tokenRoutes: FastifyPluginAsyncZod<RouteOptions> = async (app, { deps }) => {
  app.get(
    '/tokens',
    {
      schema: {
        tags: ['auth'],
        summary: 'List your API tokens (admins: any user’s, or everyone’s)',
        querystring: z
          .object({
            user: identifier.optional().describe('Admins: this user’s tokens'),
            all: queryFlag.optional().describe('Admins: every user’s tokens, ordered by owner then creation; not with `user`'),
          })
          .strict()
          .refine((q) => q.all === undefined || q.user === undefined, { path: ['all'], message: 'give either all or user, not both' }),
        response: { 200: z.object({ items: z.array(tokenSchema) }), ...errorResponses },
      },
    },
    async (req) => ({
      items: req.query.all === true ? await listAllTokens(deps, actorOf(req)) : await listTokens(deps, actorOf(req), req.query.user),
    }),
  );

  app.post(
    '/tokens',
    {
      schema: {
        tags: ['auth'],
        summary: 'Create an API token; the secret is in this response only',
        body: z
          .object({
            name: z.string().min(1).max(100).optional(),
            user: identifier.optional().describe('Admins may create tokens for other users'),
            expiresInDays: int(1, 3650).optional(),
          })
          .strict(),
        response: { 201: tokenSchema.extend({ token: z.string() }), ...errorResponses },
      },
    },
    async (req, reply) => reply.code(201).send(await createToken(deps, actorOf(req), req.body)),
  );

  app.delete(
    '/tokens/:id',
    {
      schema: {
        tags: ['auth'],
        summary: 'Revoke an API token',
        params: z.object({ id: z.uuid() }),
        response: { 200: tokenSchema, ...errorResponses },
      },
    },
    async (req) => revokeToken(deps, actorOf(req), req.params.id),
  );
};
