import type { FastifyInstance, FastifyRequest } from 'fastify';
import { UnauthenticatedError } from '../domain/errors.js';
import type { Actor } from '../services/actor.js';
import { actorFromSession, actorFromToken, csrfMatches } from '../services/auth.js';
import type { ServiceDeps } from '../services/deps.js';
import { prefersHtml, signInLocation } from './browser-sign-in.js';
import { ForbiddenCsrfError } from './csrf-error.js';

export const SESSION_COOKIE = 'relman_session';
export const CSRF_HEADER = 'x-csrf-token';

declare module 'fastify' {
  interface FastifyRequest {
    actor: Actor | null;
    /** The session id when the caller authenticated with the session cookie. */
    sessionId: string | null;
  }
  interface FastifyContextConfig {
    /** Routes reachable without authentication. */
    public?: boolean;
    /** Routes that check a credential of their own (not a user's): the Authorization header is theirs. */
    ownCredentials?: boolean;
    /** File downloads: a signed-out browser is sent to the sign-in page (303) instead of a 401. */
    signInRedirect?: boolean;
  }
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

async function authenticate(deps: ServiceDeps, req: FastifyRequest): Promise<void> {
  const header = req.headers.authorization;
  if (header !== undefined) {
    const m = /^Bearer\s+(\S+)$/i.exec(header);
    const actor = m?.[1] ? await actorFromToken(deps, m[1], String(req.id)) : null;
    if (!actor) throw new UnauthenticatedError('the API token is invalid, expired or revoked');
    req.actor = actor;
    return;
  }
  const sessionId = req.cookies[SESSION_COOKIE];
  if (sessionId === undefined) return;
  const session = await actorFromSession(deps, sessionId, String(req.id));
  if (!session) return;
  // Cookies ride along on cross-site requests; a write must also carry the
  // CSRF token that only our own pages can read.
  if (!SAFE_METHODS.has(req.method)) {
    const given = req.headers[CSRF_HEADER];
    if (!csrfMatches(session.csrfToken, typeof given === 'string' ? given : undefined)) throw new ForbiddenCsrfError();
  }
  req.actor = session.actor;
  req.sessionId = sessionId;
}

/** Resolves the caller on every request; non-public routes refuse anonymous callers. */
export function registerAuth(app: FastifyInstance, deps: ServiceDeps): void {
  app.decorateRequest('actor', null);
  app.decorateRequest('sessionId', null);
  app.addHook('onRequest', async (req, reply) => {
    if (req.routeOptions.config.ownCredentials === true) return;
    await authenticate(deps, req);
    // An unknown route is a 404 for everyone (the route list is public in the
    // OpenAPI document anyway); only real, non-public routes ask for credentials.
    const unmatched = req.routeOptions.url === undefined;
    if (req.actor === null && req.routeOptions.config.public !== true && !unmatched) {
      if (req.routeOptions.config.signInRedirect === true && req.method === 'GET' && prefersHtml(req.headers.accept)) {
        return reply.code(303).header('location', signInLocation(req.url)).send();
      }
      throw new UnauthenticatedError('sign in or send an API token (Authorization: Bearer …)');
    }
  });
}

/** The authenticated actor of a non-public route. */
export function actorOf(req: FastifyRequest): Actor {
  if (!req.actor) throw new UnauthenticatedError('sign in or send an API token (Authorization: Bearer …)');
  return req.actor;
}
