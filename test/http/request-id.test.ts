import type { FastifyInstance } from 'fastify';
import { describe, expect, it } from 'vitest';
import { dialects } from '../support/databases.js';
import { appPerFile } from '../support/factories.js';
import { ADMIN_PASSWORD } from '../support/harness.js';
import { bearer, expectJson, expectProblem } from '../support/http.js';

const V = '/api/v1';
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const RELEASE = { type: 'scheduled', plannedDate: '2026-03-07', channels: ['web'] };

describe.each(dialects)('request ids on $name', ({ name }) => {
  let app: FastifyInstance, auth: Record<string, string>;
  appPerFile(name, async (b) => {
    app = b.app;
    auth = bearer((await b.fx.user({ roles: ['developer'], name: 'rid-dev' })).token);
  });

  const auditOf = async (action: string, subjectId: string) => {
    const events = expectJson(
      await app.inject({ method: 'GET', url: `${V}/audit?action=${action}&subjectId=${subjectId}`, headers: auth }),
      200,
    ).items;
    expect(events).toHaveLength(1);
    return events[0] as { requestId: string | null; actor: string };
  };

  it('gives every answer an x-request-id, a fresh UUID when the caller sent none', async () => {
    const a = await app.inject({ method: 'GET', url: '/healthz' });
    const b = await app.inject({ method: 'GET', url: '/healthz' });
    expect(a.headers['x-request-id']).toMatch(UUID);
    expect(b.headers['x-request-id']).toMatch(UUID);
    expect(a.headers['x-request-id']).not.toBe(b.headers['x-request-id']);
    // Problems carry the same id in their body, so a user can quote it.
    for (const res of [
      await app.inject({ method: 'GET', url: `${V}/releases` }),
      await app.inject({ method: 'GET', url: `${V}/nope`, headers: auth }),
      await app.inject({ method: 'POST', url: `${V}/releases`, headers: { ...auth, 'content-type': 'application/json' }, payload: '{' }),
      await app.inject({ method: 'GET', url: `${V}/releases/%E0%A4%A`, headers: auth }),
      await app.inject({ method: 'GET', url: `${V}/releases/${'A'.repeat(300)}`, headers: auth }),
    ]) {
      expect(res.headers['x-request-id'], res.body).toMatch(UUID);
      expect(res.json().requestId).toBe(res.headers['x-request-id']);
    }
  });

  it('echoes a sane caller-supplied id and records it on the audit event of a write', async () => {
    const rid = 'trace-2026.03:abc_DEF-123';
    const res = await app.inject({ method: 'POST', url: `${V}/releases`, headers: { ...auth, 'x-request-id': rid }, payload: RELEASE });
    expect(res.headers['x-request-id']).toBe(rid);
    const release = expectJson(res, 201);
    expect(await auditOf('release.create', `cms-net/${release.name as string}`)).toMatchObject({ requestId: rid, actor: 'rid-dev' });

    const refused = await app.inject({ method: 'GET', url: `${V}/releases/NOPE`, headers: { ...auth, 'x-request-id': rid } });
    expect(expectProblem(refused, 404).requestId).toBe(rid);
    expect(refused.headers['x-request-id']).toBe(rid);
    const longest = 'x'.repeat(128);
    expect((await app.inject({ method: 'GET', url: '/healthz', headers: { 'x-request-id': longest } })).headers['x-request-id']).toBe(
      longest,
    );
  });

  it('records the id for writes made with a session cookie, and for the sign-in itself', async () => {
    const rid = 'browser-req-1';
    const login = await app.inject({
      method: 'POST',
      url: `${V}/session`,
      headers: { 'x-request-id': rid },
      payload: { username: 'admin', password: ADMIN_PASSWORD },
    });
    const session = expectJson(login, 200);
    const events = expectJson(
      await app.inject({ method: 'GET', url: `${V}/audit?action=session.create&subjectId=admin`, headers: auth }),
      200,
    ).items;
    expect(events.at(-1).requestId).toBe(rid);

    const cookies = { relman_session: login.cookies.find((c) => c.name === 'relman_session')?.value ?? '' };
    const write = await app.inject({
      method: 'POST',
      url: `${V}/items`,
      cookies,
      headers: { 'x-csrf-token': String(session.csrfToken), 'x-request-id': 'browser-req-2' },
      payload: { kind: 'IR', helpdeskRef: 'HD-1', title: 'from the browser' },
    });
    const item = expectJson(write, 201);
    expect(await auditOf('item.create', `cms-net/${item.key as string}`)).toMatchObject({ requestId: 'browser-req-2', actor: 'admin' });
  });

  it('replaces an id that is not sane with a fresh UUID, and records that one', async () => {
    for (const bad of ['has space', 'a/b', 'x'.repeat(129), 'semi;colon', 'ünï', '<script>', '']) {
      const res = await app.inject({ method: 'GET', url: '/healthz', headers: { 'x-request-id': bad } });
      expect(res.headers['x-request-id'], JSON.stringify(bad)).toMatch(UUID);
    }
    const res = await app.inject({
      method: 'POST',
      url: `${V}/releases`,
      headers: { ...auth, 'x-request-id': 'bad id\twith tab' },
      payload: RELEASE,
    });
    const release = expectJson(res, 201);
    expect(res.headers['x-request-id']).toMatch(UUID);
    expect((await auditOf('release.create', `cms-net/${release.name as string}`)).requestId).toBe(res.headers['x-request-id']);
  });
});
