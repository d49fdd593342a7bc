import type { Socket } from 'node:net';
import { finished, Readable } from 'node:stream';
import type { FastifyInstance, FastifyRequest } from 'fastify';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** The body is a streamed upload: it may take hours, and is only cut off when it stops moving. */
    streamedBody?: boolean;
  }
}

export type RequestTimeouts = {
  /** Node's headersTimeout: the request line and headers must arrive within this (also: a connection that sends nothing). */
  headersMs: number;
  /** The whole body of an ordinary request must arrive within this, counted from its headers. */
  bodyMs: number;
  /** A streamed upload body is cut off when no byte arrives for this long while the server waits for one. */
  uploadStallMs: number;
  /** Node's keepAliveTimeout: an idle connection between two requests is closed after this. */
  idleMs: number;
};

export const DEFAULT_TIMEOUTS: RequestTimeouts = { headersMs: 30_000, bodyMs: 60_000, uploadStallMs: 60_000, idleMs: 5_000 };

/** A client that stopped sending its request; answered 408 and the connection is closed. */
export class RequestTimeoutError extends Error {
  override readonly name = 'RequestTimeoutError';
  readonly statusCode = 408;
  constructor(
    readonly waitedMs: number,
    upload: boolean,
  ) {
    super(upload ? `the upload stopped: no bytes arrived for ${waitedMs} ms` : `the request body did not arrive within ${waitedMs} ms`);
  }
}

/** The Node server options that enforce the header and keep-alive timeouts (the body timeouts are ours). */
export function serverTimeoutOptions(t: RequestTimeouts): {
  http: { headersTimeout: number; requestTimeout: number; connectionsCheckingInterval: number };
  keepAliveTimeout: number;
  requestTimeout: number;
} {
  return {
    // Node checks its header deadline on an interval: keep it well below the deadline.
    http: {
      headersTimeout: t.headersMs,
      requestTimeout: 0,
      connectionsCheckingInterval: Math.max(10, Math.min(1000, Math.floor(t.headersMs / 4))),
    },
    keepAliveTimeout: t.idleMs,
    // Node's whole-request timeout would also cut off a long upload that is still moving: bodies are timed here instead.
    requestTimeout: 0,
  };
}

function hasBody(req: FastifyRequest): boolean {
  const h = req.headers;
  return h['transfer-encoding'] !== undefined || (h['content-length'] !== undefined && h['content-length'] !== '0');
}

/**
 * Times request bodies. Each body is read through a stream of our own, so
 * a timed-out body fails its reader (a parser, an upload being staged, which
 * then removes its staging file) with a 408 while the socket is still there
 * to answer on; the answer closes the connection. An ordinary body must
 * arrive within `bodyMs`; an upload only has to keep moving: it is cut off
 * after `uploadStallMs` without a byte, unless the server itself is behind
 * (bytes are waiting to be read), which is not the client's fault.
 */
export function registerRequestTimeouts(app: FastifyInstance, t: RequestTimeouts): void {
  app.addHook('preParsing', async (req, reply, payload) => {
    if (!hasBody(req) || req.raw.complete === true) return payload;
    const upload = req.routeOptions.config.streamedBody === true;
    const waitMs = upload ? t.uploadStallMs : t.bodyMs;
    // Bytes are taken from the request only when the reader asks for them, as before: a body refused unread stays unread.
    let wanted = false;
    let started = false;
    const pump = () => {
      while (wanted) {
        const chunk = payload.read() as Buffer | null;
        if (chunk === null) return;
        if (upload) timer.refresh();
        wanted = body.push(chunk);
      }
    };
    const body = new Readable({
      highWaterMark: payload.readableHighWaterMark,
      read() {
        wanted = true;
        if (!started) {
          started = true;
          payload.on('readable', pump);
          payload.once('end', () => body.push(null));
        }
        pump();
      },
    });
    const timer = setTimeout(function expire() {
      // Everything has arrived: what is left to read is the server's business.
      if (req.raw.complete === true) return;
      const answered = reply.raw.writableEnded;
      // The server is behind (bytes wait to be read): not the client's stall.
      if (upload && !answered && (body.readableLength > 0 || payload.readableLength > 0)) {
        timer.refresh();
        return;
      }
      payload.off('readable', pump);
      body.destroy(new RequestTimeoutError(waitMs, upload));
      // The answer went out already and nobody reads on: drop the connection.
      const socket = req.raw.socket as Partial<Socket> | null;
      if (answered && typeof socket?.destroy === 'function') socket.destroy();
    }, waitMs);
    timer.unref();
    finished(payload, (err) => {
      clearTimeout(timer);
      if (err && !body.destroyed) body.destroy(err);
    });
    body.once('close', () => clearTimeout(timer));
    // The reader (a parser, an upload being staged) gets the error through its own listener; with no reader
    // yet, an error event without a listener would throw out of the timer and end the process.
    body.on('error', () => undefined);
    return body;
  });
  // A body not read to its end (refused before reading, or timed out) must not be read on: close the connection after the answer.
  app.addHook('onSend', async (req, reply) => {
    if (hasBody(req) && req.raw.complete === false) reply.header('connection', 'close');
  });
}
