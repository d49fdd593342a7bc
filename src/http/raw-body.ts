import type { Readable } from 'node:stream';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { problem, sendProblem } from './problem.js';

const OCTET_STREAM = 'application/octet-stream';

/** Hands `application/octet-stream` bodies to the routes of this plugin as streams: a file is never buffered in memory. */
export function acceptRawBodies(app: FastifyInstance): void {
  if (!app.hasContentTypeParser(OCTET_STREAM)) app.addContentTypeParser(OCTET_STREAM, (_req, payload, done) => done(null, payload));
}

/** The request's raw body as a stream; for a body sent as anything else, answers 415 and returns undefined. */
export function rawBody(req: FastifyRequest, reply: FastifyReply): Readable | undefined {
  const body = req.body as Readable | undefined;
  if (body && typeof (body as { pipe?: unknown }).pipe === 'function') return body;
  sendProblem(
    reply,
    problem(415, 'unsupported-media-type', `send the file as the raw body with Content-Type: ${OCTET_STREAM}`, {
      requestId: String(req.id),
    }),
  );
  return undefined;
}
