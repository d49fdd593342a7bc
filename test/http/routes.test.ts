import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dialects } from '../support/databases.js';
import { ADMIN_PASSWORD, harness, httpApp, userWith, type Harness } from '../support/harness.js';
import { caller, expectJson, expectProblem, type Call } from '../support/http.js';

const V = '/api/v1';
const COOKIE = 'relman_session';
const PASSWORD = 'correct horse battery staple';
const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/;

describe.each(dialects)('routes on $name', ({ name }) => {
  let h: Harness;
  let app: FastifyInstance;
  let admin: Call;
  let dev: { call: Call; username: string; token: string };

  beforeAll(async () => {
    h = await harness(name);
    app = await httpApp(h.deps);
    admin = caller(app, (await userWith(h.deps, ['admin'], 'routes-admin')).token);
    const d = await userWith(h.deps, ['developer'], 'routes-dev');
    dev = { ...d, call: caller(app, d.token) };
  });
  afterAll(async () => {
    await app?.close();
    await h?.close();
  });

  const login = (username: string, password: string) =>
    app.inject({ method: 'POST', url: `${V}/session`, payload: { username, password } });

  it('sign-in sets an httpOnly SameSite cookie; cookie writes need the CSRF token; sign-out ends the session', async () => {
    const res = await login('admin', ADMIN_PASSWORD);
    const body = expectJson(res, 200);
    expect(body).toEqual({
      user: expect.objectContaining({ username: 'admin', roles: ['admin'] }),
      csrfToken: expect.any(String),
      expiresAt: expect.stringMatching(ISO),
    });
    const cookie = res.cookies.find((c) => c.name === COOKIE);
    expect(cookie).toMatchObject({ httpOnly: true, sameSite: 'Lax', path: '/' });
    expect(String(res.headers['set-cookie'])).toMatch(/HttpOnly/);
    expect(String(res.headers['set-cookie'])).toMatch(/SameSite=Lax/);
    const cookies = { [COOKIE]: cookie?.value ?? '' };

    const me = expectJson(await app.inject({ method: 'GET', url: `${V}/session`, cookies }), 200);
    expect(me).toMatchObject({ user: { username: 'admin' }, csrfToken: body.csrfToken, expiresAt: body.expiresAt });
    // A bearer caller has no session, so no CSRF token.
    expect(expectJson(await dev.call('GET', `${V}/session`), 200)).toMatchObject({
      user: { username: 'routes-dev' },
      csrfToken: null,
      expiresAt: null,
    });

    const release = { type: 'scheduled', plannedDate: '2026-03-07', channels: ['web'] };
    expectProblem(await app.inject({ method: 'POST', url: `${V}/releases`, cookies, payload: release }), 403, 'forbidden');
    const wrong = { 'x-csrf-token': `${String(body.csrfToken).slice(1)}x` };
    expectProblem(await app.inject({ method: 'POST', url: `${V}/releases`, cookies, headers: wrong, payload: release }), 403, 'forbidden');
    const csrf = { 'x-csrf-token': String(body.csrfToken) };
    expect(
      expectJson(await app.inject({ method: 'POST', url: `${V}/releases`, cookies, headers: csrf, payload: release }), 201).createdBy,
    ).toBe('admin');

    expectProblem(await login('admin', 'not the password'), 401, 'unauthenticated');
    expectProblem(await login('nobody-here', 'whatever'), 401, 'unauthenticated');

    expectProblem(await app.inject({ method: 'DELETE', url: `${V}/session`, cookies }), 403, 'forbidden');
    const out = await app.inject({ method: 'DELETE', url: `${V}/session`, cookies, headers: csrf });
    expect(out.statusCode).toBe(204);
    expect(out.body).toBe('');
    const cleared = out.cookies.find((c) => c.name === COOKIE);
    expect(cleared?.value).toBe('');
    expect(cleared?.expires?.getTime() ?? 0).toBeLessThan(Date.now());
    expectProblem(await app.inject({ method: 'GET', url: `${V}/session`, cookies }), 401, 'unauthenticated');
  });

  it('changes your own password', async () => {
    const u = await userWith(h.deps, ['viewer'], 'routes-pw');
    const call = caller(app, u.token);
    const bad = expectProblem(
      await call('PUT', `${V}/session/password`, { currentPassword: 'wrong one', newPassword: 'a new long password' }),
      422,
    );
    expect(bad.errors).toEqual([expect.objectContaining({ path: 'currentPassword' })]);
    expectProblem(await call('PUT', `${V}/session/password`, { currentPassword: PASSWORD, newPassword: 'x' }), 422);
    const ok = await call('PUT', `${V}/session/password`, { currentPassword: PASSWORD, newPassword: 'a new long password' });
    expect(ok.statusCode).toBe(204);
    expectProblem(await login('routes-pw', PASSWORD), 401);
    expectJson(await login('routes-pw', 'a new long password'), 200);
  });

  it('creates, lists and revokes API tokens; a revoked token is refused', async () => {
    const created = expectJson(await dev.call('POST', `${V}/tokens`, { name: 'ci', expiresInDays: 30 }), 201);
    expect(created).toEqual({
      id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      name: 'ci',
      user: 'routes-dev',
      token: expect.stringMatching(/^rmt_/),
      createdAt: expect.stringMatching(ISO),
      expiresAt: expect.stringMatching(ISO),
      lastUsedAt: null,
      revokedAt: null,
    });
    const ci = caller(app, created.token);
    expectJson(await ci('GET', `${V}/session`), 200);
    const list = expectJson(await dev.call('GET', `${V}/tokens`), 200);
    const listed = list.items.find((t: { id: string }) => t.id === created.id);
    expect(listed).toMatchObject({ name: 'ci', user: 'routes-dev', revokedAt: null });
    expect(listed).not.toHaveProperty('token');
    expect(list.items.every((t: { user: string }) => t.user === 'routes-dev')).toBe(true);
    expectProblem(await dev.call('GET', `${V}/tokens?user=routes-admin`), 403, 'forbidden');
    expect(expectJson(await admin('GET', `${V}/tokens?user=routes-dev`), 200).items.map((t: { id: string }) => t.id)).toContain(created.id);
    expectProblem(await dev.call('POST', `${V}/tokens`, { user: 'routes-admin' }), 403, 'forbidden');

    const revoked = expectJson(await dev.call('DELETE', `${V}/tokens/${created.id}`), 200);
    expect(revoked).toMatchObject({ id: created.id, revokedAt: expect.stringMatching(ISO) });
    expectProblem(await ci('GET', `${V}/session`), 401, 'unauthenticated');
    expectProblem(await dev.call('DELETE', `${V}/tokens/${created.id}`), 409, 'already-revoked');
    expectProblem(await dev.call('DELETE', `${V}/tokens/00000000-0000-4000-8000-000000000000`), 404, 'not-found');
  });

  it('lists every user’s tokens with their owners for administrators only', async () => {
    const ann = await userWith(h.deps, ['developer'], 'tok-ann');
    const bob = await userWith(h.deps, ['viewer'], 'tok-bob');
    const second = expectJson(await admin('POST', `${V}/tokens`, { user: 'tok-ann', name: 'deploy' }), 201);
    expectJson(await caller(app, bob.token)('GET', `${V}/session`), 200);

    type Listed = { id: string; name: string; user: string; createdAt: string; lastUsedAt: string | null; revokedAt: string | null };
    const all = expectJson(await admin('GET', `${V}/tokens?all=true`), 200).items as Listed[];
    expect(all).not.toHaveProperty('0.token');
    const owners = new Set(all.map((t) => t.user));
    for (const u of ['routes-admin', 'routes-dev', ann.username, bob.username]) expect(owners.has(u), u).toBe(true);
    // Grouped by owner, oldest first within each owner.
    const mine = all.filter((t) => t.user === 'tok-ann' || t.user === 'tok-bob');
    expect(mine.map((t) => [t.user, t.name])).toEqual([
      ['tok-ann', 'cli'],
      ['tok-ann', 'deploy'],
      ['tok-bob', 'cli'],
    ]);
    expect(mine[1]).toMatchObject({ id: second.id, revokedAt: null, createdAt: expect.stringMatching(ISO) });
    expect((mine[0]?.createdAt ?? '') <= (mine[1]?.createdAt ?? '')).toBe(true);
    expect(mine[2]?.lastUsedAt).toEqual(expect.stringMatching(ISO));
    const runs = all.map((t) => t.user).filter((u, i, a) => i === 0 || a[i - 1] !== u);
    expect(new Set(runs).size).toBe(runs.length);
    expect(expectJson(await admin('GET', `${V}/tokens?all=false`), 200).items.every((t: Listed) => t.user === 'routes-admin')).toBe(true);

    const refused = expectProblem(await dev.call('GET', `${V}/tokens?all=true`), 403, 'forbidden');
    expect(refused).toMatchObject({ action: 'token.list-for-others', allowedRoles: ['admin'] });
    const both = expectProblem(await admin('GET', `${V}/tokens?all=true&user=tok-ann`), 400, 'validation');
    expect(both.errors).toEqual([expect.objectContaining({ path: 'all' })]);
    expectProblem(await admin('GET', `${V}/tokens?all=yes`), 400, 'validation');
  });

  it('administers users', async () => {
    const created = expectJson(
      await admin('POST', `${V}/users`, {
        username: 'alice',
        displayName: 'Alice A',
        email: 'alice@example.org',
        password: PASSWORD,
        roles: ['Technical Lead', 'developer'],
      }),
      201,
    );
    expect(created).toEqual({
      username: 'alice',
      displayName: 'Alice A',
      email: 'alice@example.org',
      roles: ['developer', 'technical-lead'],
      disabled: false,
      createdAt: expect.stringMatching(ISO),
      updatedAt: expect.stringMatching(ISO),
    });
    expect(expectJson(await admin('GET', `${V}/users`), 200).items.map((u: { username: string }) => u.username)).toEqual(
      expect.arrayContaining(['admin', 'alice', 'routes-dev']),
    );
    expect(expectJson(await dev.call('GET', `${V}/users/alice`), 200)).toEqual(created);
    expectProblem(await admin('GET', `${V}/users/nobody`), 404, 'not-found');
    expectProblem(await admin('POST', `${V}/users`, { username: 'alice', roles: ['viewer'] }), 409, 'conflict');
    const bad = expectProblem(await admin('POST', `${V}/users`, { username: 'bob', roles: ['viewer', 'wizard'] }), 422, 'validation');
    expect(bad.errors).toEqual([expect.objectContaining({ path: 'roles[1]' })]);

    const patched = expectJson(await admin('PATCH', `${V}/users/alice`, { displayName: 'Alice B', roles: ['cmc'] }), 200);
    expect(patched).toMatchObject({ displayName: 'Alice B', roles: ['cmc'], email: 'alice@example.org' });
    const aliceToken = expectJson(await admin('POST', `${V}/tokens`, { user: 'alice' }), 201).token as string;
    expectJson(await caller(app, aliceToken)('GET', `${V}/session`), 200);
    expect(expectJson(await admin('PATCH', `${V}/users/alice`, { disabled: true }), 200).disabled).toBe(true);
    expectProblem(await caller(app, aliceToken)('GET', `${V}/session`), 401, 'unauthenticated');
    expectProblem(await login('alice', PASSWORD), 401);
    expectProblem(await admin('PATCH', `${V}/users/routes-admin`, { disabled: true }), 409, 'self-lockout');
    expectProblem(await admin('PATCH', `${V}/users/nobody`, { displayName: 'x' }), 404, 'not-found');
  });

  it('lists, shows and creates applications', async () => {
    const list = expectJson(await dev.call('GET', `${V}/applications`), 200);
    expect(list.items).toEqual([
      {
        key: 'cms-net',
        name: 'CMS Net',
        template: { key: 'cms-net', version: 1 },
        namingParameters: { system: 'C', contractor: 'IS' },
        nextReleaseNameExample: 'CFIS001',
        isDefault: true,
        createdAt: expect.stringMatching(ISO),
      },
    ]);
    expect(expectJson(await dev.call('GET', `${V}/applications/cms-net`), 200)).toEqual(list.items[0]);
    expectProblem(await dev.call('GET', `${V}/applications/nope`), 404, 'not-found');
    const created = expectJson(
      await admin('POST', `${V}/applications`, { key: 'dms', name: 'DMS', templateKey: 'cms-net', namingParameters: { system: 'D' } }),
      201,
    );
    expect(created).toMatchObject({
      key: 'dms',
      isDefault: false,
      namingParameters: { system: 'D', contractor: 'IS' },
      nextReleaseNameExample: 'DFIS001',
    });
    expectProblem(await admin('POST', `${V}/applications`, { key: 'dms', name: 'again', templateKey: 'cms-net' }), 409);
    const bad = expectProblem(
      await admin('POST', `${V}/applications`, { key: 'x1', name: 'X', templateKey: 'no-such' }),
      422,
      'validation',
    );
    expect(bad.errors?.map((e) => e.path)).toEqual(['templateKey']);
    // The default application stays the default.
    expect(
      expectJson(await dev.call('GET', `${V}/applications`), 200).items.filter((a: { isDefault: boolean }) => a.isDefault),
    ).toHaveLength(1);
  });

  it('shows templates and their history, publishes a new version, refuses a bad one with every problem, dry-runs', async () => {
    const list = expectJson(await dev.call('GET', `${V}/templates`), 200);
    expect(list.items).toEqual([
      expect.objectContaining({
        key: 'cms-net',
        version: 1,
        name: 'CMS Net release management plan',
        sha256: expect.stringMatching(/^[0-9a-f]{64}$/),
      }),
    ]);
    const v1 = expectJson(await dev.call('GET', `${V}/templates/cms-net`), 200);
    expect(v1).toMatchObject({ key: 'cms-net', version: 1, template: { key: 'cms-net' }, yaml: expect.stringContaining('key: cms-net') });
    expectProblem(await dev.call('GET', `${V}/templates/cms-net?version=9`), 404, 'not-found');
    expectProblem(await dev.call('GET', `${V}/templates/none`), 404, 'not-found');
    expectProblem(await dev.call('GET', `${V}/templates/none/versions`), 404, 'not-found');

    const yaml = String(v1.yaml).replace('name: CMS Net release management plan', 'name: CMS Net release plan (revised)');
    const auditBefore = expectJson(await admin('GET', `${V}/audit?action=template.publish`), 200).items.length;
    const dry = expectJson(
      await admin('POST', `${V}/templates`, { yaml, changes: 'Renamed', preparedBy: 'Pat', reviewedBy: 'Sam', dryRun: true }),
      200,
    );
    expect(dry).toMatchObject({ key: 'cms-net', version: 2, dryRun: true, name: 'CMS Net release plan (revised)' });
    expect(expectJson(await dev.call('GET', `${V}/templates/cms-net/versions`), 200).items).toHaveLength(1);
    expect(expectJson(await admin('GET', `${V}/audit?action=template.publish`), 200).items).toHaveLength(auditBefore);

    const published = expectJson(
      await admin('POST', `${V}/templates`, { yaml, changes: 'Renamed', preparedBy: 'Pat', reviewedBy: 'Sam' }),
      201,
    );
    expect(published).toMatchObject({
      key: 'cms-net',
      version: 2,
      dryRun: false,
      changes: 'Renamed',
      preparedBy: 'Pat',
      reviewedBy: 'Sam',
      publishedBy: 'routes-admin',
    });
    expect(published.sectionsChanged).toContain('name');
    expect(expectJson(await dev.call('GET', `${V}/templates/cms-net`), 200).version).toBe(2);
    expect(expectJson(await dev.call('GET', `${V}/templates/cms-net?version=1`), 200)).toMatchObject({
      version: 1,
      name: 'CMS Net release management plan',
    });
    const history = expectJson(await dev.call('GET', `${V}/templates/cms-net/versions`), 200).items;
    expect(history.map((t: { version: number }) => t.version)).toEqual([2, 1]);
    expect(history[0]).not.toHaveProperty('yaml');
    expectProblem(await admin('POST', `${V}/templates`, { yaml, changes: 'Again' }), 409, 'template-unchanged');

    const broken = yaml
      .replace('item.assign: [cmc, technical-lead, admin]', 'item.assign: [cmc, viewer, nobody]')
      .replace('initialState: draft', 'initialState: nowhere')
      .replace('# P5, P6\n', 'bogus: 1\n');
    const refused = expectProblem(
      await admin('POST', `${V}/templates`, { yaml: broken, changes: 'Broken', preparedBy: 'Pat', reviewedBy: 'Sam' }),
      422,
      'template-invalid',
    );
    expect(refused.errors?.map((e) => e.path).sort()).toEqual(
      ['bogus', 'permissions["item.assign"][1]', 'permissions["item.assign"][2]', 'releaseTypes[0].initialState'].sort(),
    );
    expect(refused.detail).toMatch(/4 problems/);
    const syntax = expectProblem(await admin('POST', `${V}/templates`, { yaml: 'key: [unclosed' }), 422, 'template-invalid');
    expect(syntax.errors?.[0]?.message).toMatch(/line 1/);
    expect(expectJson(await dev.call('GET', `${V}/templates/cms-net/versions`), 200).items).toHaveLength(2);
  });

  it('answers health and readiness', async () => {
    expect(expectJson(await app.inject({ method: 'GET', url: '/healthz' }), 200)).toEqual({ status: 'ok' });
    expect(expectJson(await app.inject({ method: 'GET', url: '/readyz' }), 200)).toEqual({ status: 'ready' });
  });

  it('documents every route in OpenAPI 3.1 with request and response schemas', async () => {
    const doc = expectJson(await app.inject({ method: 'GET', url: `${V}/openapi.json` }), 200);
    expect(String(doc.openapi).startsWith('3.1')).toBe(true);
    expect(doc.info).toMatchObject({ title: expect.any(String), version: expect.any(String) });
    let operations = 0;
    for (const [path, ops] of Object.entries<Record<string, any>>(doc.paths)) {
      for (const [method, op] of Object.entries<any>(ops)) {
        operations++;
        const where = `${method.toUpperCase()} ${path}`;
        const success = Object.keys(op.responses).filter((c) => /^2\d\d$/.test(c));
        expect(success, where).not.toHaveLength(0);
        // Package files and checklist evidence files travel as raw bytes both ways; everything else is JSON.
        const evidenceFile = path.endsWith('/evidence/{fileName}');
        const binary = path.includes('/packages/{channel}/') || evidenceFile;
        for (const code of success) {
          if (code === '204') expect(op.responses[code].content, where).toBeUndefined();
          // The calendar feed is iCalendar text for calendar programs.
          else if (path.endsWith('/calendar.ics'))
            expect(op.responses[code].content?.['text/calendar']?.schema, `${where} ${code}`).toMatchObject({ type: 'string' });
          // The audit export is CSV for spreadsheets.
          else if (path.endsWith('/audit.csv'))
            expect(op.responses[code].content?.['text/csv']?.schema, `${where} ${code}`).toMatchObject({ type: 'string' });
          else if (binary && (path.endsWith('/file') || (evidenceFile && method === 'get')))
            expect(op.responses[code].content?.['application/octet-stream']?.schema, `${where} ${code}`).toMatchObject({
              type: 'string',
              format: 'binary',
            });
          else
            expect(op.responses[code].content?.['application/json']?.schema, `${where} ${code}`).toMatchObject({
              type: expect.any(String),
            });
        }
        if (['post', 'put', 'patch'].includes(method)) {
          if (binary) expect(op.requestBody?.content?.['application/octet-stream'], where).toBeDefined();
          else
            expect(op.requestBody?.content?.['application/json']?.schema, where).toMatchObject({
              type: 'object',
              additionalProperties: false,
            });
        }
        const pathParams = [...path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]);
        const declared = (op.parameters ?? []).filter((p: { in: string }) => p.in === 'path').map((p: { name: string }) => p.name);
        expect(declared.sort(), where).toEqual(pathParams.sort());
        if (path.startsWith(V)) {
          for (const code of ['400', '401', '403', '404', '409', '422']) {
            const content = op.responses[code]?.content;
            expect((content?.['application/json'] ?? content?.['application/problem+json'])?.schema?.required, `${where} ${code}`).toEqual(
              expect.arrayContaining(['type', 'title', 'status', 'detail']),
            );
          }
        }
      }
    }
    // The exact list of documented operations is pinned by authorization.test.ts against the route table.
    expect(operations).toBeGreaterThanOrEqual(50);
  });
});
