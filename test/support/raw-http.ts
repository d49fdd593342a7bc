/**
 * HTTP/1.1 spoken by hand over a plain TCP socket: for what a well-behaved
 * client library will not send (malformed framing, a body that stops, headers
 * announcing bytes that never come) and for watching when the server answers
 * and when it closes the connection.
 */
import net from 'node:net';
import type { FastifyInstance } from 'fastify';

export type RawAnswer = { status: number; headers: Record<string, string>; body: string };

export type RawConnection = {
  socket: net.Socket;
  /** Writes bytes; false once the server has closed the connection. */
  write(data: string | Buffer): Promise<boolean>;
  /** The first complete answer (status line, headers, Content-Length bytes of body). */
  answer: Promise<RawAnswer>;
  /** Resolves when the server closes the connection. */
  closed: Promise<void>;
  /** Every byte received so far. */
  received(): string;
  destroy(): void;
};

/** The port a listening app is on. */
export const portOf = (app: FastifyInstance): number => (app.server.address() as net.AddressInfo).port;

function parseAnswer(raw: Buffer): RawAnswer | undefined {
  const end = raw.indexOf('\r\n\r\n');
  if (end === -1) return undefined;
  const [statusLine = '', ...lines] = raw.subarray(0, end).toString('latin1').split('\r\n');
  const headers: Record<string, string> = {};
  for (const line of lines) {
    const colon = line.indexOf(':');
    headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  const length = Number(headers['content-length'] ?? 0);
  const body = raw.subarray(end + 4);
  if (body.length < length) return undefined;
  return { status: Number(statusLine.split(' ')[1]), headers, body: body.subarray(0, length).toString('utf8') };
}

/** Opens a connection to 127.0.0.1:port and sends `first` (if given). */
export function rawConnect(port: number, first?: string | Buffer): RawConnection {
  const socket = net.connect(port, '127.0.0.1');
  let raw = Buffer.alloc(0);
  let gone = false;
  let resolveAnswer: (a: RawAnswer) => void = () => undefined;
  let rejectAnswer: (e: Error) => void = () => undefined;
  const answer = new Promise<RawAnswer>((resolve, reject) => {
    resolveAnswer = resolve;
    rejectAnswer = reject;
  });
  socket.on('data', (d: Buffer) => {
    raw = Buffer.concat([raw, d]);
    const a = parseAnswer(raw);
    if (a) resolveAnswer(a);
  });
  const closed = new Promise<void>((resolve) =>
    socket.on('close', () => {
      gone = true;
      rejectAnswer(new Error(`the server closed the connection without a complete answer: ${JSON.stringify(raw.toString('latin1'))}`));
      resolve();
    }),
  );
  socket.on('error', () => undefined);
  const write = (data: string | Buffer) =>
    new Promise<boolean>((resolve) => {
      if (gone || socket.destroyed) return resolve(false);
      socket.write(data, (err) => resolve(!err));
    });
  if (first !== undefined) void write(first);
  return { socket, write, answer, closed, received: () => raw.toString('latin1'), destroy: () => socket.destroy() };
}

/** Sends a whole request on a fresh connection and returns the answer. */
export function rawExchange(port: number, request: string | Buffer): Promise<RawAnswer> {
  const c = rawConnect(port, request);
  return c.answer.finally(() => c.destroy());
}

/** Lines of an HTTP/1.1 request head, ending with the blank line. */
export const head = (requestLine: string, headers: Record<string, string | number>): string =>
  `${requestLine}\r\n${Object.entries(headers)
    .map(([k, v]) => `${k}: ${v}\r\n`)
    .join('')}\r\n`;
