import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { addUser, getUserView, listUserViews, updateUser } from '../../services/users.js';
import type { RouteOptions } from '../app.js';
import { actorOf } from '../auth.js';
import { errorResponses, identifier } from '../schemas/common.js';
import { userSchema } from '../schemas/views.js';

const roles = z.array(z.string().min(1).max(100)).max(50);
const email = z.email().max(320).nullable();

export const userRoutes: FastifyPluginAsyncZod<RouteOptions> = async (app, { deps }) => {
  app.get(
    '/users',
    { schema: { tags: ['users'], summary: 'List users', response: { 200: z.object({ items: z.array(userSchema) }), ...errorResponses } } },
    async () => ({ items: await listUserViews(deps) }),
  );

  app.get(
    '/users/:username',
    {
      schema: {
        tags: ['users'],
        summary: 'Show a user',
        params: z.object({ username: identifier }),
        response: { 200: userSchema, ...errorResponses },
      },
    },
    async (req) => getUserView(deps, req.params.username),
  );

  app.post(
    '/users',
    {
      schema: {
        tags: ['users'],
        summary: 'Create a user (admin)',
        body: z
          .object({
            username: identifier,
            displayName: z.string().min(1).max(200).optional(),
            email: email.optional(),
            password: z.string().max(1000).optional(),
            roles: roles.min(1),
          })
          .strict(),
        response: { 201: userSchema, ...errorResponses },
      },
    },
    async (req, reply) => reply.code(201).send(await addUser(deps, actorOf(req), req.body)),
  );

  app.patch(
    '/users/:username',
    {
      schema: {
        tags: ['users'],
        summary: 'Change a user’s name, e-mail, roles, password or disable them (admin)',
        params: z.object({ username: identifier }),
        body: z
          .object({
            displayName: z.string().min(1).max(200).optional(),
            email: email.optional(),
            roles: roles.optional(),
            disabled: z.boolean().optional(),
            password: z.string().max(1000).optional(),
          })
          .strict(),
        response: { 200: userSchema, ...errorResponses },
      },
    },
    async (req) => updateUser(deps, actorOf(req), req.params.username, req.body),
  );
};
