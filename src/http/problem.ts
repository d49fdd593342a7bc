import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { hasZodFastifySchemaValidationErrors, isResponseSerializationError } from 'fastify-type-provider-zod';
import {
  ConflictError,
  CorruptArtifactError,
  DomainError,
  ForbiddenError,
  GatesNotSatisfiedError,
  NotFoundError,
  PayloadTooLargeError,
  SequenceExhaustedError,
  StaleVersionError,
  TemplateInvalidError,
  TooManyAttemptsError,
  UnauthenticatedError,
  QueryValidationError,
  ValidationError,
} from '../domain/errors.js';
import { ArtifactTooLargeError } from '../integrations/storage/artifact-store.js';
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

type Base = { instance: string; requestId: string };
type ErrorClass<E> = abstract new (...args: never[]) => E;
type Row<E extends DomainError> = [ErrorClass<E>, number, (err: E, base: Base) => Problem];
const row = <E extends DomainError>(type: ErrorClass<E>, status: number, make?: (err: E, base: Base) => Problem): Row<DomainError> =>
  [type, status, make ?? ((err: E, base: Base) => problem(status, err.code, err.message, base))] as unknown as Row<DomainError>;

const list = (problems: readonly { path: string; message: string }[]): string => problems.map((e) => `${e.path}: ${e.message}`).join('; ');

/**
 * Every domain error's status and problem document, in one table; the first
 * row whose class the error is an instance of answers (subclasses first). A
 * domain error no row names is a 400.
 */
const DOMAIN_ERRORS: readonly Row<DomainError>[] = [
  row(QueryValidationError, 400, (err, base) =>
    problem(400, err.code, `the request querystring is invalid: ${list(err.problems)}`, {
      ...base,
      errors: err.problems.map((e) => ({ in: 'querystring', ...e })),
    }),
  ),
  row(ValidationError, 422, (err, base) => problem(422, err.code, err.message, { ...base, errors: err.problems })),
  row(TemplateInvalidError, 422, (err, base) =>
    problem(422, err.code, `${err.message}: ${list(err.problems)}`, { ...base, errors: err.problems }),
  ),
  row(NotFoundError, 404, (err, base) => problem(404, err.code, err.message, { ...base, entity: err.entity, id: err.id })),
  row(StaleVersionError, 409, (err, base) =>
    problem(409, err.code, err.message, { ...base, expectedVersion: err.expected, currentVersion: err.actual }),
  ),
  row(GatesNotSatisfiedError, 409, (err, base) =>
    problem(409, err.code, err.message, { ...base, transition: err.transition, unmet: err.unmet, gates: err.gates }),
  ),
  row(ConflictError, 409),
  row(SequenceExhaustedError, 409, (err, base) =>
    problem(409, err.code, `the release name sequence is used up: ${err.message}`, { ...base, maxSequence: err.maxSequence }),
  ),
  row(UnauthenticatedError, 401),
  row(TooManyAttemptsError, 429),
  row(ForbiddenError, 403, (err, base) =>
    problem(403, err.code, err.message, { ...base, action: err.action, allowedRoles: err.allowedRoles }),
  ),
  row(PayloadTooLargeError, 413, (err, base) => problem(413, err.code, err.message, { ...base, maxBytes: err.maxBytes })),
  row(CorruptArtifactError, 500, (err, base) => problem(500, err.code, `${err.message}; it was not sent`, base)),
];

function domainProblem(err: DomainError, base: Base): Problem {
  for (const [type, , make] of DOMAIN_ERRORS) if (err instanceof type) return make(err, base);
  return problem(400, err.code, err.message, base);
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
  if (err instanceof DomainError) return domainProblem(err, base);
  if (err instanceof ArtifactTooLargeError) return domainProblem(new PayloadTooLargeError(err.maxBytes, err.message), base);
  if (err instanceof RequestTimeoutError) return problem(408, 'request-timeout', err.message, { ...base, timeoutMs: err.waitedMs });
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
