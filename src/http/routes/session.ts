import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { actorFromSession, login, logout } from '../../services/auth.js';
import { changeOwnPassword, getUserView } from '../../services/users.js';
import type { RouteOptions } from '../app.js';
import { actorOf, SESSION_COOKIE } from '../auth.js';
import { appQuery, errorResponses, problemSchema } from '../schemas/common.js';
import { TooManyAttemptsError } from '../../domain/errors.js';
import { userSchema } from '../schemas/views.js';
import { APP_ACTIONS } from '../../domain/permissions.js';
import { myPermissions } from '../../services/my-permissions.js';

const sessionSchema = z.object({ user: userSchema, csrfToken: z.string().nullable(), expiresAt: z.string().nullable() });

export const sessionRoutes: FastifyPluginAsyncZod<RouteOptions> = async (app, { deps, cookieSecure, sessionTtlHours }) => {
  app.post(
    '/session',
    {
      config: { public: true },
      schema: {
        tags: ['auth'],
        summary: 'Sign in with a password; sets the session cookie and returns the CSRF token for writes',
        security: [],
        body: z.object({ username: z.string().min(1).max(100), password: z.string().min(1).max(1000) }).strict(),
        response: { 200: sessionSchema, 429: problemSchema, ...errorResponses },
      },
    },
    async (req, reply) => {
      let s: Awaited<ReturnType<typeof login>>;
      try {
        // req.ip is the socket address, or with RELMAN_TRUST_PROXY the right-most untrusted hop.
        s = await login(deps, {
          username: req.body.username,
          password: req.body.password,
          ttlHours: sessionTtlHours,
          requestId: String(req.id),
          address: req.ip,
        });
      } catch (err) {
        if (err instanceof TooManyAttemptsError) reply.header('retry-after', String(err.retryAfterSeconds));
        throw err;
      }
      reply.setCookie(SESSION_COOKIE, s.sessionId, {
        httpOnly: true,
        sameSite: 'lax',
        // Behind a TLS-terminating proxy (trusted, X-Forwarded-Proto: https) the request came over TLS too.
        secure: cookieSecure || req.protocol === 'https',
        path: '/',
        expires: new Date(s.expiresAt),
      });
      return { user: await getUserView(deps, s.actor.username), csrfToken: s.csrfToken, expiresAt: s.expiresAt };
    },
  );

  app.get(
    '/session',
    { schema: { tags: ['auth'], summary: 'Who am I', response: { 200: sessionSchema, ...errorResponses } } },
    async (req) => {
      const actor = actorOf(req);
      // The CSRF token is only handed out to a caller that already holds the session.
      const session = req.sessionId ? await actorFromSession(deps, req.sessionId) : null;
      return {
        user: await getUserView(deps, actor.username),
        csrfToken: session?.csrfToken ?? null,
        expiresAt: session?.expiresAt ?? null,
      };
    },
  );

  app.get(
    '/session/permissions',
    {
      schema: {
        tags: ['auth'],
        summary: 'What you may do in an application (its template grants actions to roles); the server still checks every write',
        querystring: z.object({ app: appQuery }).strict(),
        response: {
          200: z.object({ app: z.string(), roles: z.array(z.string()), admin: z.boolean(), actions: z.array(z.enum(APP_ACTIONS)) }),
          ...errorResponses,
        },
      },
    },
    async (req) => myPermissions(deps, actorOf(req), req.query.app),
  );

  app.delete(
    '/session',
    { schema: { tags: ['auth'], summary: 'Sign out', response: { 204: z.null(), ...errorResponses } } },
    async (req, reply) => {
      const actor = actorOf(req);
      if (req.sessionId) await logout(deps, actor, req.sessionId);
      reply.clearCookie(SESSION_COOKIE, { path: '/' });
      return reply.code(204).send(null);
    },
  );

  app.put(
    '/session/password',
    {
      schema: {
        tags: ['auth'],
        summary: 'Change your own password; your other sessions end, your API tokens stay valid',
        body: z.object({ currentPassword: z.string().min(1).max(1000), newPassword: z.string().min(1).max(1000) }).strict(),
        response: { 204: z.null(), ...errorResponses },
      },
    },
    async (req, reply) => {
      await changeOwnPassword(deps, actorOf(req), req.body.currentPassword, req.body.newPassword, req.sessionId);
      return reply.code(204).send(null);
    },
  );
};
