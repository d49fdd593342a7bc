import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { hasZodFastifySchemaValidationErrors, isResponseSerializationError } from 'fastify-type-provider-zod';
import {
  ConflictError,
  DomainError,
  ForbiddenError,
  GatesNotSatisfiedError,
  NotFoundError,
  StaleVersionError,
  TemplateInvalidError,
  TooManyAttemptsError,
  UnauthenticatedError,
  QueryValidationError,
  ValidationError,
} from '../domain/errors.js';
import { SequenceExhaustedError } from '../domain/naming.js';
import { ArtifactTooLargeError } from '../integrations/storage/artifact-store.js';
import { CorruptArtifactError } from '../services/packages/read.js';
import { RequestTimeoutError } from './request-timeouts.js';

export const PROBLEM_CONTENT_TYPE = 'application/problem+json';

export type Problem = {
  type: string;
  title: string;
  status: number;
  detail: string;
  instance?: string;
  requestId?: string;
  errors?: { in?: string; path: string; message: string }[];
  [extra: string]: unknown;
};

const problemType = (code: string): string => `urn:relman:problem:${code}`;

const TITLES: Record<number, string> = {
  400: 'Bad request',
  401: 'Authentication required',
  403: 'Forbidden',
  404: 'Not found',
  405: 'Method not allowed',
  408: 'Request timeout',
  409: 'Conflict',
  413: 'Payload too large',
  414: 'URI too long',
  415: 'Unsupported media type',
  422: 'Unprocessable content',
  429: 'Too many requests',
  431: 'Request header fields too large',
  500: 'Internal server error',
};

export function problem(status: number, code: string, detail: string, extra: Partial<Problem> = {}): Problem {
  return { type: problemType(code), title: TITLES[status] ?? 'Error', status, detail, ...extra };
}

/** `channels.0` → `channels[0]`, so paths read the same in every problem. */
function formatPath(parts: readonly PropertyKey[]): string {
  return parts.reduce<string>((acc, p) => (typeof p === 'number' ? `${acc}[${p}]` : acc === '' ? String(p) : `${acc}.${String(p)}`), '');
}

function instancePathToPath(instancePath: string): string {
  const parts = instancePath
    .split('/')
    .filter((p) => p !== '')
    .map((p) => (/^\d+$/.test(p) ? Number(p) : p));
  return formatPath(parts);
}

function isUniqueViolation(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return code === '23505' || code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY';
}

/** Maps every error to a problem document; nothing leaves the server as a bare 500 with a stack. */
export function toProblem(err: unknown, req: FastifyRequest): Problem {
  const requestId = String(req.id);
  const base = { instance: req.url.split('?')[0] ?? req.url, requestId };
  if (hasZodFastifySchemaValidationErrors(err)) {
    const where = (err as { validationContext?: string }).validationContext;
    const errors = err.validation.map((v) => {
      const issue = v.params?.issue as { path?: PropertyKey[] } | undefined;
      const path = issue?.path ? formatPath(issue.path) : instancePathToPath(v.instancePath);
      return { ...(where ? { in: where } : {}), path: path === '' ? '(root)' : path, message: v.message ?? 'invalid' };
    });
    const list = errors.map((e) => `${e.path}: ${e.message}`).join('; ');
    return problem(400, 'validation', `the request ${where ?? 'input'} is invalid: ${list}`, { ...base, errors });
  }
  if (err instanceof QueryValidationError) {
    const list = err.problems.map((e) => `${e.path}: ${e.message}`).join('; ');
    return problem(400, err.code, `the request querystring is invalid: ${list}`, {
      ...base,
      errors: err.problems.map((e) => ({ in: 'querystring', ...e })),
    });
  }
  if (err instanceof ValidationError) {
    return problem(422, err.code, err.message, { ...base, errors: err.problems });
  }
  if (err instanceof TemplateInvalidError) {
    return problem(422, err.code, `${err.message}: ${err.problems.map((p) => `${p.path}: ${p.message}`).join('; ')}`, {
      ...base,
      errors: err.problems,
    });
  }
  if (err instanceof NotFoundError) return problem(404, err.code, err.message, { ...base, entity: err.entity, id: err.id });
  if (err instanceof StaleVersionError) {
    return problem(409, err.code, err.message, { ...base, expectedVersion: err.expected, currentVersion: err.actual });
  }
  if (err instanceof GatesNotSatisfiedError) {
    return problem(409, err.code, err.message, { ...base, transition: err.transition, unmet: err.unmet, gates: err.gates });
  }
  if (err instanceof ConflictError) return problem(409, err.code, err.message, base);
  if (err instanceof SequenceExhaustedError) {
    return problem(409, 'sequence-exhausted', `the release name sequence is used up: ${err.message}`, {
      ...base,
      maxSequence: err.maxSequence,
    });
  }
  if (err instanceof UnauthenticatedError) return problem(401, err.code, err.message, base);
  if (err instanceof TooManyAttemptsError) return problem(429, err.code, err.message, base);
  if (err instanceof ForbiddenError)
    return problem(403, err.code, err.message, { ...base, action: err.action, allowedRoles: err.allowedRoles });
  if (err instanceof DomainError) return problem(400, err.code, err.message, base);
  if (err instanceof ArtifactTooLargeError) return problem(413, 'too-large', err.message, { ...base, maxBytes: err.maxBytes });
  if (err instanceof RequestTimeoutError) return problem(408, 'request-timeout', err.message, { ...base, timeoutMs: err.waitedMs });
  if (err instanceof CorruptArtifactError) return problem(500, 'artifact-corrupt', `${err.message}; it was not sent`, base);
  if (isUniqueViolation(err)) return problem(409, 'conflict', 'a concurrent change created the same record; try again', base);
  if (isResponseSerializationError(err)) return problem(500, 'internal', 'the server produced an invalid response', base);
  const fe = err as Partial<FastifyError>;
  const status = typeof fe.statusCode === 'number' ? fe.statusCode : 500;
  if (status >= 400 && status < 500) {
    const code =
      fe.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE'
        ? 'unsupported-media-type'
        : fe.code === 'FST_ERR_CTP_BODY_TOO_LARGE'
          ? 'too-large'
          : 'bad-request';
    const detail = err instanceof SyntaxError ? `the body is not valid JSON: ${err.message}` : (fe.message ?? 'bad request');
    return problem(status, code, detail, base);
  }
  return problem(500, 'internal', 'an unexpected error occurred; the request id identifies it in the server log', base);
}

export function sendProblem(reply: FastifyReply, p: Problem): FastifyReply {
  return reply.code(p.status).type(PROBLEM_CONTENT_TYPE).send(p);
}
