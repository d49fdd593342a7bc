import { createHash } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { NoAnswerError, sendStream } from '../../src/cli/stream-upload.js';

const MiB = 1024 * 1024;

async function* bytes(total: number, fail?: Error): AsyncGenerator<Uint8Array> {
  const block = Buffer.alloc(MiB, 0x61);
  for (let sent = 0; sent < total; sent += MiB) {
    if (fail && sent >= total / 2) throw fail;
    yield block.subarray(0, Math.min(MiB, total - sent));
  }
}

describe('streamed upload client', () => {
  let server: Server | undefined;
  afterEach(async () => {
    server?.closeAllConnections();
    await new Promise((r) => server?.close(r) ?? r(undefined));
    server = undefined;
  });

  async function listen(handler: Parameters<typeof createServer>[1]): Promise<URL> {
    server = createServer(handler);
    await new Promise<void>((r) => server!.listen(0, '127.0.0.1', r));
    return new URL(`http://127.0.0.1:${(server.address() as AddressInfo).port}/upload`);
  }

  it('sends every byte with the headers given, and returns the answer', async () => {
    const url = await listen((req, res) => {
      const hash = createHash('sha256');
      let n = 0;
      req.on('data', (c: Buffer) => {
        n += c.length;
        hash.update(c);
      });
      req.on('end', () => {
        res.writeHead(201, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ n, sha256: hash.digest('hex'), type: req.headers['content-type'], auth: req.headers.authorization }));
      });
    });
    const size = 20 * MiB + 7;
    const answer = await sendStream(
      url,
      'PUT',
      { 'content-type': 'application/octet-stream', 'content-length': String(size), authorization: 'Bearer t' },
      bytes(size),
    );
    expect(answer.status).toBe(201);
    const expected = createHash('sha256');
    for await (const c of bytes(size)) expected.update(c);
    expect(JSON.parse(answer.text)).toEqual({
      n: size,
      sha256: expected.digest('hex'),
      type: 'application/octet-stream',
      auth: 'Bearer t',
    });
  });

  it('returns an answer the server gives before the body is sent, even if it then closes the connection', async () => {
    const url = await listen((req, res) => {
      res.writeHead(413, { 'content-type': 'application/problem+json', connection: 'close' });
      res.end(JSON.stringify({ title: 'Payload too large' }), () => req.socket.destroy());
    });
    const size = 200 * MiB;
    const answer = await sendStream(url, 'PUT', { 'content-length': String(size) }, bytes(size));
    expect(answer.status).toBe(413);
    expect(JSON.parse(answer.text)).toEqual({ title: 'Payload too large' });
  });

  it('reports a server that is not there as no answer, with the system code', async () => {
    const url = await listen(() => undefined);
    server!.close();
    await expect(sendStream(url, 'PUT', { 'content-length': '1' }, bytes(1))).rejects.toSatisfy(
      (err) => err instanceof NoAnswerError && err.code === 'ECONNREFUSED',
    );
  });

  it('fails with the error of the file being read, not a network one', async () => {
    const url = await listen((req) => req.resume());
    const size = 8 * MiB;
    await expect(sendStream(url, 'PUT', { 'content-length': String(size) }, bytes(size, new Error('disk read failed')))).rejects.toThrow(
      'disk read failed',
    );
  });
});
