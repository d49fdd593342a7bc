import { randomUUID } from 'node:crypto';
import { STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { problem, PROBLEM_CONTENT_TYPE, type Problem } from './problem.js';
import { SECURITY_HEADERS } from './security-headers.js';

/** What was wrong with a request Node's HTTP parser could not read, in the client's terms. */
function describe(err: Error & { code?: string }, headersTimeoutMs: number): Problem {
  switch (err.code ?? '') {
    case 'ERR_HTTP_REQUEST_TIMEOUT':
      return problem(408, 'request-timeout', `the request line and headers did not arrive within ${headersTimeoutMs} ms`);
    case 'HPE_HEADER_OVERFLOW':
      return problem(431, 'headers-too-large', 'the request headers are too large');
    case 'HPE_INVALID_METHOD':
      return problem(400, 'bad-request', 'the request method is not an HTTP method');
    case 'HPE_UNEXPECTED_CONTENT_LENGTH':
    case 'HPE_INVALID_CONTENT_LENGTH':
      return problem(400, 'bad-request', 'the request has conflicting or invalid Content-Length / Transfer-Encoding headers');
    case 'HPE_INVALID_TRANSFER_ENCODING':
      return problem(400, 'bad-request', 'the Transfer-Encoding header is invalid, or comes with a Content-Length');
    case 'HPE_INVALID_CHUNK_SIZE':
    case 'HPE_STRICT':
      return problem(400, 'bad-request', 'the chunked request body is malformed');
    case 'HPE_INVALID_URL':
      return problem(400, 'bad-request', 'the request target is not a valid URL (control characters, spaces?)');
    default:
      return problem(400, 'bad-request', `the request is not valid HTTP/1.1 (${err.code ?? 'unreadable'})`);
  }
}

/**
 * Answers requests that never reach a route (Node's parser refused them, or
 * their headers timed out) with a problem document like every other error,
 * then closes the connection: after a framing error nothing more on it can
 * be trusted.
 */
export function clientErrorHandler(headersTimeoutMs: number) {
  return function onClientError(this: FastifyInstance, err: Error & { code?: string }, socket: Socket): void {
    if (err.code === 'ECONNRESET' || socket.destroyed) return;
    const requestId = randomUUID();
    const p = { ...describe(err, headersTimeoutMs), requestId };
    this.log.debug({ err, requestId }, 'malformed request refused');
    // An answer already under way on this connection (Node keeps it as _httpMessage) must not be interleaved with ours.
    const current = (socket as Socket & { _httpMessage?: { headersSent?: boolean } | null })._httpMessage;
    if (!socket.writable || current?.headersSent === true) {
      socket.destroy();
      return;
    }
    const body = JSON.stringify(p);
    const headers = {
      ...SECURITY_HEADERS,
      'content-type': `${PROBLEM_CONTENT_TYPE}; charset=utf-8`,
      'content-length': String(Buffer.byteLength(body)),
      'x-request-id': requestId,
      connection: 'close',
    };
    const head = Object.entries(headers)
      .map(([k, v]) => `${k}: ${v}\r\n`)
      .join('');
    socket.end(`HTTP/1.1 ${p.status} ${STATUS_CODES[p.status] ?? 'Error'}\r\n${head}\r\n${body}`, () => socket.destroy());
  };
}
