import type { Readable } from 'node:stream';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { problem, sendProblem } from './problem.js';

const OCTET_STREAM = 'application/octet-stream';

/** Hands `application/octet-stream` bodies to the routes of this plugin as streams: a file is never buffered in memory. */
export function acceptRawBodies(app: FastifyInstance): void {
  if (!app.hasContentTypeParser(OCTET_STREAM)) app.addContentTypeParser(OCTET_STREAM, (_req, payload, done) => done(null, payload));
}

function unsupported(req: FastifyRequest, reply: FastifyReply): FastifyReply {
  return sendProblem(
    reply,
    problem(415, 'unsupported-media-type', `send the file as the raw body with Content-Type: ${OCTET_STREAM}`, {
      instance: req.url.split('?')[0] ?? req.url,
      requestId: String(req.id),
      accept: OCTET_STREAM,
    }),
  );
}

/**
 * Route options of a raw upload: the body is streamed (no size limit applies
 * to it here; the service counts its bytes), so anything but
 * `application/octet-stream` is refused from the headers alone, before a
 * byte of the body is read; a JSON body never gets past the normal limit.
 */
export const rawUpload = {
  config: { streamedBody: true },
  onRequest: async (req: FastifyRequest, reply: FastifyReply) => {
    const type = req.headers['content-type']?.split(';')[0]?.trim().toLowerCase();
    if (type !== OCTET_STREAM) return unsupported(req, reply);
  },
};

/** The request's raw body as a stream; for a body sent as anything else, answers 415 and returns undefined. */
export function rawBody(req: FastifyRequest, reply: FastifyReply): Readable | undefined {
  const body = req.body as Readable | undefined;
  if (body && typeof (body as { pipe?: unknown }).pipe === 'function') return body;
  unsupported(req, reply);
  return undefined;
}
