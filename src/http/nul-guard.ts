import type { FastifyInstance } from 'fastify';
import { problem, sendProblem } from './problem.js';

/** Parsed input only: a streamed upload body (or raw bytes) is not walked; its reader checks its bytes. */
function isPlain(value: object): boolean {
  return typeof (value as { pipe?: unknown }).pipe !== 'function' && !ArrayBuffer.isView(value);
}

/** Paths (`a.b[0]`) of the strings, or object keys, holding U+0000; iterative, so deep nesting cannot overflow the stack. */
function nulPaths(root: unknown): string[] {
  const out: string[] = [];
  const stack: [unknown, string][] = [[root, '']];
  for (let next = stack.pop(); next !== undefined && out.length < 20; next = stack.pop()) {
    const [value, path] = next;
    if (typeof value === 'string') {
      if (value.includes('\u0000')) out.push(path === '' ? '(root)' : path);
    } else if (Array.isArray(value)) {
      value.forEach((v, i) => stack.push([v, `${path}[${i}]`]));
    } else if (value !== null && typeof value === 'object' && isPlain(value)) {
      for (const [k, v] of Object.entries(value)) {
        const at = path === '' ? k : `${path}.${k}`;
        if (k.includes('\u0000')) out.push(at);
        stack.push([v, at]);
      }
    }
  }
  return out;
}

/**
 * PostgreSQL text cannot hold U+0000 (SQLite can): refuse it in every input
 * up front, so both dialects answer the same 400 instead of a database error.
 */
export function registerNulGuard(app: FastifyInstance): void {
  app.addHook('preValidation', async (req, reply) => {
    const errors = (['params', 'querystring', 'body'] as const).flatMap((where) =>
      nulPaths(where === 'params' ? req.params : where === 'querystring' ? req.query : req.body).map((path) => ({
        in: where,
        path,
        message: 'contains a NUL character (U+0000)',
      })),
    );
    if (errors.length === 0) return;
    const list = errors.map((e) => `${e.path}: ${e.message}`).join('; ');
    const base = { instance: req.url.split('?')[0] ?? req.url, requestId: String(req.id) };
    return sendProblem(reply, problem(400, 'validation', `the request is invalid: ${list}`, { ...base, errors }));
  });
}
