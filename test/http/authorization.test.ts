import { randomUUID } from 'node:crypto';
import type { FastifyInstance, InjectOptions } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { APP_ACTIONS, type AppAction } from '../../src/domain/permissions.js';
import { SYSTEM_ACTOR } from '../../src/services/actor.js';
import { createToken } from '../../src/services/auth.js';
import { createRelease } from '../../src/services/releases.js';
import { createWorkItem } from '../../src/services/work-items.js';
import { dialects } from '../support/databases.js';
import { ADMIN_PASSWORD, harness, httpApp, userWith, type Harness } from '../support/harness.js';
import { bearer, expectJson, expectProblem } from '../support/http.js';

/**
 * Who may call what. `public`: anyone, signed in or not. `read`: any signed-in
 * user. `self`: any signed-in user, about themselves (sign out, own password,
 * own tokens). `admin`: the admin role only. An app action: exactly the roles
 * the process template in force grants that action.
 */
type Access = 'public' | 'read' | 'self' | 'admin' | AppAction;
type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
type Req = { url?: string; payload?: unknown };
type Route = { method: Method; url: string; access: Access; ok: 200 | 201 | 204; req?: (fx: Fixtures, who: string) => Req | Promise<Req> };

const V = '/api/v1';
const PASSWORD = 'correct horse battery staple'; // what userWith gives every user
const ANON = 'anonymous';
const TARGET = 'table-target';

type Fixtures = {
  h: Harness;
  app: FastifyInstance;
  users: Map<string, { username: string; token: string }>;
  release: string;
  item: string;
  changedYaml: string;
  unique(prefix: string): string;
};

const freshItem = async (fx: Fixtures) =>
  (await createWorkItem(fx.h.deps, SYSTEM_ACTOR, { kind: 'IR', helpdeskRef: 'HD-assign', title: 'to attach' })).key;
const freshTokenId = async (fx: Fixtures, who: string) => {
  const u = fx.users.get(who);
  return u ? (await createToken(fx.h.deps, SYSTEM_ACTOR, { user: u.username, name: 'to revoke' })).id : randomUUID();
};

const ROUTES: Route[] = [
  { method: 'GET', url: '/healthz', access: 'public', ok: 200 },
  { method: 'GET', url: '/readyz', access: 'public', ok: 200 },
  { method: 'GET', url: '/metrics', access: 'public', ok: 200 },
  { method: 'GET', url: `${V}/openapi.json`, access: 'public', ok: 200 },
  {
    method: 'POST',
    url: `${V}/session`,
    access: 'public',
    ok: 200,
    req: (fx, who) => ({
      payload:
        who === ANON ? { username: 'admin', password: ADMIN_PASSWORD } : { username: fx.users.get(who)?.username, password: PASSWORD },
    }),
  },
  { method: 'GET', url: `${V}/session`, access: 'self', ok: 200 },
  { method: 'DELETE', url: `${V}/session`, access: 'self', ok: 204 },
  {
    method: 'PUT',
    url: `${V}/session/password`,
    access: 'self',
    ok: 204,
    req: () => ({ payload: { currentPassword: PASSWORD, newPassword: PASSWORD } }),
  },
  { method: 'GET', url: `${V}/tokens`, access: 'self', ok: 200 },
  { method: 'POST', url: `${V}/tokens`, access: 'self', ok: 201, req: () => ({ payload: { name: 'table' } }) },
  {
    method: 'DELETE',
    url: `${V}/tokens/:id`,
    access: 'self',
    ok: 200,
    req: async (fx, who) => ({ url: `${V}/tokens/${await freshTokenId(fx, who)}` }),
  },
  { method: 'GET', url: `${V}/users`, access: 'read', ok: 200 },
  {
    method: 'POST',
    url: `${V}/users`,
    access: 'admin',
    ok: 201,
    req: (fx) => ({ payload: { username: fx.unique('user'), roles: ['viewer'] } }),
  },
  { method: 'GET', url: `${V}/users/:username`, access: 'read', ok: 200, req: () => ({ url: `${V}/users/admin` }) },
  {
    method: 'PATCH',
    url: `${V}/users/:username`,
    access: 'admin',
    ok: 200,
    req: (fx) => ({ url: `${V}/users/${TARGET}`, payload: { displayName: fx.unique('Name') } }),
  },
  { method: 'GET', url: `${V}/applications`, access: 'read', ok: 200 },
  {
    method: 'POST',
    url: `${V}/applications`,
    access: 'admin',
    ok: 201,
    req: (fx) => ({ payload: { key: fx.unique('app'), name: 'Another system', templateKey: 'cms-net' } }),
  },
  { method: 'GET', url: `${V}/applications/:key`, access: 'read', ok: 200, req: () => ({ url: `${V}/applications/cms-net` }) },
  { method: 'GET', url: `${V}/templates`, access: 'read', ok: 200 },
  { method: 'POST', url: `${V}/templates`, access: 'admin', ok: 200, req: (fx) => ({ payload: { yaml: fx.changedYaml, dryRun: true } }) },
  { method: 'GET', url: `${V}/templates/:key`, access: 'read', ok: 200, req: () => ({ url: `${V}/templates/cms-net` }) },
  { method: 'GET', url: `${V}/templates/:key/versions`, access: 'read', ok: 200, req: () => ({ url: `${V}/templates/cms-net/versions` }) },
  { method: 'GET', url: `${V}/releases`, access: 'read', ok: 200 },
  {
    method: 'POST',
    url: `${V}/releases`,
    access: 'release.create',
    ok: 201,
    req: () => ({ payload: { type: 'scheduled', plannedDate: '2026-03-07', channels: ['web'] } }),
  },
  { method: 'GET', url: `${V}/releases/:name`, access: 'read', ok: 200, req: (fx) => ({ url: `${V}/releases/${fx.release}` }) },
  {
    method: 'PATCH',
    url: `${V}/releases/:name`,
    access: 'release.update',
    ok: 200,
    req: (fx, who) => ({ url: `${V}/releases/${fx.release}`, payload: { title: `changed by ${who}` } }),
  },
  { method: 'GET', url: `${V}/items`, access: 'read', ok: 200 },
  {
    method: 'POST',
    url: `${V}/items`,
    access: 'item.create',
    ok: 201,
    req: () => ({ payload: { kind: 'IR', helpdeskRef: 'HD-1', title: 'An incident' } }),
  },
  { method: 'GET', url: `${V}/items/:key`, access: 'read', ok: 200, req: (fx) => ({ url: `${V}/items/${fx.item}` }) },
  {
    method: 'PATCH',
    url: `${V}/items/:key`,
    access: 'item.update',
    ok: 200,
    req: (fx, who) => ({ url: `${V}/items/${fx.item}`, payload: { title: `changed by ${who}` } }),
  },
  {
    method: 'PUT',
    url: `${V}/items/:key/release`,
    access: 'item.assign',
    ok: 200,
    req: async (fx) => ({ url: `${V}/items/${await freshItem(fx)}/release`, payload: { release: fx.release } }),
  },
  { method: 'GET', url: `${V}/audit`, access: 'read', ok: 200 },
];

const keyOf = (r: { method: string; url: string }) => `${r.method} ${r.url}`;

/** Every method + url the app serves (HEAD aside), read from Fastify's own route tree. */
function registeredRoutes(app: FastifyInstance): string[] {
  const out: string[] = [];
  const stack: string[] = [];
  for (const line of app.printRoutes({ commonPrefix: false }).split('\n')) {
    const m = /^((?:│ {3}| {4})*)[├└]── (\S+)(?: \(([^)]+)\))?$/.exec(line);
    if (!m) continue;
    const depth = (m[1] ?? '').length / 4;
    stack.length = depth;
    const full = (stack[depth - 1] ?? '') + (m[2] ?? '');
    stack[depth] = full;
    for (const method of (m[3] ?? '').split(', ')) if (method !== '' && method !== 'HEAD') out.push(`${method} ${full}`);
  }
  return out.sort();
}

describe.each(dialects)('authorization on $name', ({ name }) => {
  let fx: Fixtures;
  let roles: string[];
  let grants: Record<string, string[]>;

  beforeAll(async () => {
    const h = await harness(name);
    const app = await httpApp(h.deps);
    const admin = await userWith(h.deps, ['admin'], 'table-admin');
    // The grants under test come from the template in force, never from a copy here.
    const tpl = expectJson(await app.inject({ method: 'GET', url: `${V}/templates/cms-net`, headers: bearer(admin.token) }), 200);
    roles = tpl.template.roles.map((r: { id: string }) => r.id);
    grants = tpl.template.permissions;
    const users = new Map<string, { username: string; token: string }>();
    for (const role of roles) users.set(role, await userWith(h.deps, [role], `role-${role}`));
    await userWith(h.deps, ['viewer'], TARGET);
    const release = (await createRelease(h.deps, SYSTEM_ACTOR, { type: 'scheduled', plannedDate: '2026-03-14', channels: ['web'] })).name;
    const item = (await createWorkItem(h.deps, SYSTEM_ACTOR, { kind: 'SMCR', helpdeskRef: 'HD-0', title: 'fixture' })).key;
    const changedYaml = String(tpl.yaml).replace(/^ {2}changes: .*$/m, '  changes: A dry run from the authorization table.');
    expect(changedYaml).not.toBe(tpl.yaml);
    let n = 0;
    fx = { h, app, users, release, item, changedYaml, unique: (p) => `${p}-${++n}` };
  });
  afterAll(async () => {
    await fx?.app.close();
    await fx?.h.close();
  });

  const everyone = () => [ANON, ...roles];

  function expected(route: Route, who: string): string {
    if (route.access === 'public') return String(route.ok);
    if (who === ANON) return '401 urn:relman:problem:unauthenticated';
    const allowed =
      route.access === 'read' || route.access === 'self'
        ? true
        : route.access === 'admin'
          ? who === 'admin'
          : (grants[route.access] ?? []).includes(who);
    return allowed ? String(route.ok) : '403 urn:relman:problem:forbidden';
  }

  async function send(route: Route, who: string) {
    const r = (await route.req?.(fx, who)) ?? {};
    const creds = fx.users.get(who);
    const opts: InjectOptions = {
      method: route.method,
      url: r.url ?? route.url,
      headers: creds ? bearer(creds.token) : {},
      ...(r.payload === undefined ? {} : { payload: r.payload as InjectOptions['payload'] }),
    };
    return fx.app.inject(opts);
  }

  it.each(ROUTES.map((r) => [keyOf(r), r] as const))('%s answers each role as the table says', async (_key, route) => {
    const actual: Record<string, string> = {};
    const want: Record<string, string> = {};
    for (const who of everyone()) {
      const res = await send(route, who);
      const isProblem = /^application\/problem\+json/.test(String(res.headers['content-type']));
      actual[who] = res.statusCode >= 400 && isProblem ? `${res.statusCode} ${res.json().type}` : String(res.statusCode);
      want[who] = expected(route, who);
    }
    expect(actual).toEqual(want);
  });

  it('derives the roles and grants from the default template', () => {
    expect([...roles].sort()).toEqual(
      [
        'admin',
        'cmc',
        'database-lead',
        'deployment',
        'developer',
        'infrastructure',
        'systems-analyst',
        'technical-lead',
        'viewer',
        'web-lead',
      ].sort(),
    );
    expect(Object.keys(grants).sort()).toEqual([...APP_ACTIONS].sort());
    // Every action the template can grant is exercised by some route in the table.
    expect(new Set(ROUTES.map((r) => r.access))).toEqual(new Set(['public', 'read', 'self', 'admin', ...APP_ACTIONS]));
  });

  it('spot checks: viewer never writes, developer creates releases, assignment is for leads', async () => {
    for (const route of ROUTES.filter((r) => r.method !== 'GET' && r.access !== 'public' && r.access !== 'self')) {
      expect(expected(route, 'viewer'), keyOf(route)).toMatch(/^403 /);
    }
    const route = (k: string) => ROUTES.find((r) => keyOf(r) === k) as Route;
    const viewer = await send(route(`POST ${V}/releases`), 'viewer');
    expect(expectProblem(viewer, 403, 'forbidden')).toMatchObject({
      action: 'release.create',
      allowedRoles: expect.arrayContaining(['developer']),
    });
    expect(expectJson(await send(route(`POST ${V}/releases`), 'developer'), 201).name).toMatch(/^CFIS\d{3}$/);
    expectProblem(await send(route(`POST ${V}/releases`), 'deployment'), 403, 'forbidden');
    expectJson(await send(route(`POST ${V}/items`), 'web-lead'), 201);
    expectProblem(await send(route(`POST ${V}/items`), 'infrastructure'), 403, 'forbidden');
    expectJson(await send(route(`PUT ${V}/items/:key/release`), 'cmc'), 200);
    expectProblem(await send(route(`PUT ${V}/items/:key/release`), 'developer'), 403, 'forbidden');
    for (const admin of [`POST ${V}/users`, `PATCH ${V}/users/:username`, `POST ${V}/applications`, `POST ${V}/templates`]) {
      for (const who of roles.filter((r) => r !== 'admin')) expectProblem(await send(route(admin), who), 403, 'forbidden');
    }
    expectProblem(await send(route(`GET ${V}/releases`), ANON), 401, 'unauthenticated');
    expectJson(await send(route('GET /healthz'), ANON), 200);
  });

  it('the table lists every route the app serves, and the OpenAPI document every API route', async () => {
    const table = ROUTES.map(keyOf).sort();
    expect(new Set(table).size).toBe(table.length);
    expect(table).toHaveLength(32);
    expect(registeredRoutes(fx.app)).toEqual(table);
    for (const r of ROUTES) expect(fx.app.hasRoute({ method: r.method, url: r.url }), keyOf(r)).toBe(true);

    const doc = expectJson(await fx.app.inject({ method: 'GET', url: `${V}/openapi.json` }), 200);
    const documented: string[] = [];
    for (const [path, ops] of Object.entries<Record<string, { security?: unknown[] }>>(doc.paths)) {
      for (const [method, op] of Object.entries(ops)) {
        const key = `${method.toUpperCase()} ${path.replace(/\{(\w+)\}/g, ':$1')}`;
        documented.push(key);
        // Public routes say they need no credentials; the rest inherit the document's bearer/session requirement.
        const route = ROUTES.find((r) => keyOf(r) === key);
        expect(op.security, key).toEqual(route?.access === 'public' ? [] : undefined);
      }
    }
    expect(documented).toHaveLength(30);
    // Only the document itself and the Prometheus scrape endpoint stay out of it.
    const undocumented = [`GET ${V}/openapi.json`, 'GET /metrics'];
    expect(documented.sort()).toEqual(table.filter((k) => !undocumented.includes(k)));
  });
});
