import createClient, { type Middleware } from 'openapi-fetch';
import { problemFrom, ProblemError } from './problem';
import type { paths } from './schema';

let csrfToken: string | null = null;

/** The session's CSRF token, sent with every write; the session cookie itself is httpOnly. */
export function setCsrfToken(token: string | null): void {
  csrfToken = token;
}

/** The session's CSRF token, for a write sent outside `api` (an upload with progress, by XMLHttpRequest). */
export function getCsrfToken(): string | null {
  return csrfToken;
}

/** Where the application sends a signed-out user: the sign-in page, then back to where they were. */
export function signInPath(next: string = window.location.pathname + window.location.search): string {
  return next.startsWith('/sign-in') ? '/sign-in' : `/sign-in?next=${encodeURIComponent(next)}`;
}

const listeners = new Set<() => void>();
/** Called when the server answers 401: the session has expired or was ended elsewhere. */
export function onSessionLost(listener: () => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

const auth: Middleware = {
  onRequest({ request }) {
    if (request.method !== 'GET' && request.method !== 'HEAD' && csrfToken) request.headers.set('x-csrf-token', csrfToken);
    return request;
  },
  async onResponse({ request, response }) {
    if (response.ok) return response;
    const err = await problemFrom(response.clone());
    const signingIn = new URL(request.url).pathname.endsWith('/session') && request.method === 'POST';
    if (err.status === 401 && !signingIn) for (const l of listeners) l();
    throw err;
  },
};

export const api = createClient<paths>({ baseUrl: '', credentials: 'same-origin' });
api.use(auth);

/** The data of a successful answer (errors were thrown as ProblemError by the middleware). */
export function data<T>(result: { data?: T; error?: unknown; response: Response }): T {
  if (result.error !== undefined) throw result.error instanceof ProblemError ? result.error : new Error(JSON.stringify(result.error));
  return result.data as T;
}

export type Schemas = paths;
