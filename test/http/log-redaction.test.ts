import { Writable } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/http/app.js';
import { redactUrl } from '../../src/http/log-redaction.js';
import { harness, userWith, type Harness } from '../support/harness.js';
import { bearer, expectJson } from '../support/http.js';
import { head, portOf, rawExchange } from '../support/raw-http.js';

/** Every JSON line the app logs. */
class LogCapture extends Writable {
  readonly lines: string[] = [];
  override _write(chunk: Buffer, _enc: BufferEncoding, done: () => void): void {
    this.lines.push(
      ...chunk
        .toString('utf8')
        .split('\n')
        .filter((l) => l !== ''),
    );
    done();
  }
  get text(): string {
    return this.lines.join('\n');
  }
  urls(): string[] {
    return this.lines.map((l) => (JSON.parse(l) as { req?: { url?: string } }).req?.url).filter((u): u is string => u !== undefined);
  }
}

describe('secrets never reach the request log', () => {
  let h: Harness;
  let app: FastifyInstance;
  let log: LogCapture;
  let apiToken: string;

  beforeAll(async () => {
    h = await harness('sqlite');
    log = new LogCapture();
    app = await buildApp({ deps: h.deps, logLevel: 'info', logStream: log });
    await app.listen({ host: '127.0.0.1', port: 0 });
    apiToken = (await userWith(h.deps, ['viewer'], 'log-viewer')).token;
  });
  afterAll(async () => {
    await app?.close();
    await h?.close();
  });

  it('logs calendar feed URLs with the token redacted, over a real socket too', async () => {
    const feed = expectJson(
      await app.inject({ method: 'POST', url: '/api/v1/calendar/feed-token', headers: bearer(apiToken), payload: {} }),
      201,
    );
    const token = feed.token as string;
    const path = new URL(feed.url as string).pathname + new URL(feed.url as string).search;
    expect(path).toContain(encodeURIComponent(token));
    const res = await app.inject({ method: 'GET', url: path });
    expect(res.statusCode).toBe(200);
    const a = await rawExchange(portOf(app), head(`GET ${path} HTTP/1.1`, { host: 'relman.test', connection: 'close' }));
    expect(a.status).toBe(200);
    // A mistyped feed URL, an unknown route with a secret: logged, but not their secrets.
    await app.inject({ method: 'GET', url: `/api/v1/calendar.ics?token=${token}x` });
    await app.inject({ method: 'GET', url: `/api/v1/nope?access_token=hunter2hunter2&page=3` });
    await app.inject({ method: 'GET', url: `/api/v1/tokens/${apiToken}`, headers: bearer(apiToken) });

    expect(log.text).not.toContain(token);
    expect(log.text).not.toContain(encodeURIComponent(token));
    expect(log.text).not.toContain('hunter2hunter2');
    expect(log.text).not.toContain(apiToken);
    const urls = log.urls();
    expect(urls).toContain('/api/v1/calendar.ics?token=[REDACTED]');
    expect(urls).toContain('/api/v1/nope?access_token=[REDACTED]&page=3');
    expect(urls).toContain('/api/v1/tokens/[REDACTED]');
  });

  it('writes one line per request, with its id, method, URL, status and time', async () => {
    const before = log.lines.length;
    const res = await app.inject({ method: 'GET', url: '/api/v1/releases?state=draft', headers: bearer(apiToken) });
    expect(res.statusCode).toBe(200);
    const lines = log.lines.slice(before).map((l) => JSON.parse(l) as Record<string, any>);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({
      reqId: res.headers['x-request-id'],
      req: { method: 'GET', url: '/api/v1/releases?state=draft' },
      res: { statusCode: 200 },
      msg: 'request completed',
    });
    expect(typeof lines[0]?.responseTime).toBe('number');
  });

  it('redacts secret parameters and relman secrets in any position, keeping the rest of the URL', () => {
    expect(redactUrl('/a/b?x=1&token=abc&y=2')).toBe('/a/b?x=1&token=[REDACTED]&y=2');
    expect(redactUrl('/a?Password=p&api%5Fkey=k&sig=s')).toBe('/a?Password=[REDACTED]&api%5Fkey=[REDACTED]&sig=[REDACTED]');
    expect(redactUrl('/a?next=rmc_AbCdEfGh12345678')).toBe('/a?next=[REDACTED]');
    expect(redactUrl('/feeds/rmc_AbCdEfGh12345678.ics')).toBe('/feeds/[REDACTED].ics');
    expect(redactUrl('/feeds/rmc_AbCdEfGh12345678/x')).toBe('/feeds/[REDACTED]/x');
    expect(redactUrl('/feeds/rmc%5FAbCdEfGh12345678/x')).toBe('/feeds/[REDACTED]/x');
    expect(redactUrl('/a/%E0%A4%A?token=%E0')).toBe('/a/%E0%A4%A?token=[REDACTED]');
    expect(redactUrl('/api/v1/releases?state=draft')).toBe('/api/v1/releases?state=draft');
  });
});
