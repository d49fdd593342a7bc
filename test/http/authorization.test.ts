import { readFileSync } from 'node:fs';
import type { FastifyInstance, InjectOptions } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { APP_ACTIONS } from '../../src/domain/permissions.js';
import { SYSTEM_ACTOR } from '../../src/services/actor.js';
import { createRelease } from '../../src/services/releases.js';
import { assignWorkItem, createWorkItem } from '../../src/services/work-items.js';
import { dialects } from '../support/databases.js';
import { harness, httpApp, userWith } from '../support/harness.js';
import { bearer, expectJson, expectProblem } from '../support/http.js';
import {
  ANON,
  KNOWN_GAPS,
  keyOf,
  ROUTES as CORE_ROUTES,
  TARGET,
  V,
  type Access,
  type Fixtures,
  type Route,
} from './authorization-table.js';
import { CALENDAR_ROUTES } from './authorization-table-calendar.js';
import { CHECKLIST_ROUTES } from './authorization-table-checklist.js';
import { MAIL_ROUTES } from './authorization-table-mail.js';
import { DEPLOYMENT_ROUTES, DEPLOYMENT_RUN_ROUTES } from './authorization-table-deployments.js';

const ROUTES: Route[] = [
  ...CORE_ROUTES,
  ...CALENDAR_ROUTES,
  ...CHECKLIST_ROUTES,
  ...MAIL_ROUTES,
  ...DEPLOYMENT_ROUTES,
  ...DEPLOYMENT_RUN_ROUTES,
];

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
  let rolesOf: (access: Access) => string[];

  beforeAll(async () => {
    const h = await harness(name);
    const app = await httpApp(h.deps);
    const admin = await userWith(h.deps, ['admin'], 'table-admin');
    // The grants under test come from the template in force, never from a copy here.
    const tpl = expectJson(await app.inject({ method: 'GET', url: `${V}/templates/cms-net`, headers: bearer(admin.token) }), 200);
    roles = tpl.template.roles.map((r: { id: string }) => r.id);
    grants = tpl.template.permissions;
    type Named = { id: string; roles: string[] };
    const byId = <T extends { id: string }>(list: T[], id: string | undefined): T => {
      const found = list.find((x) => x.id === id);
      if (!found) throw new Error(`the template has no "${id}"`);
      return found;
    };
    const scheduled = byId<{ id: string; transitions: Named[] }>(tpl.template.workflows, 'scheduled');
    rolesOf = (access) => {
      const [kind, id, channel] = access.split(':');
      if (kind === 'transition') return byId(scheduled.transitions, id).roles;
      if (kind === 'approval') return byId<Named>(tpl.template.approvals, id).roles;
      if (kind === 'report') return byId<Named>(tpl.template.reports, id).roles;
      if (kind === 'checklist') {
        const task = byId<{ id: string; responsible: string[] }>(tpl.template.checklist, id);
        return [...(grants['checklist.complete'] ?? []), ...task.responsible];
      }
      type Plan = { environment: string; roles: string[]; steps: Named[] };
      const planOf = (env: string | undefined) => {
        const plan = (tpl.template.deployments as Plan[]).find((p) => p.environment === env);
        if (!plan) throw new Error(`the template plans no deployment to "${env}"`);
        return plan;
      };
      if (kind === 'deploy') return planOf(id).roles;
      if (kind === 'deploy-step') return byId(planOf(id).steps, channel).roles;
      if (kind === 'step') return byId<{ id: string; roles: Record<string, string[]> }>(tpl.template.steps, id).roles[channel ?? ''] ?? [];
      return grants[access] ?? [];
    };
    const users = new Map<string, { username: string; token: string }>();
    for (const role of roles) users.set(role, await userWith(h.deps, [role], `role-${role}`));
    await userWith(h.deps, ['viewer'], TARGET);
    const release = (await createRelease(h.deps, SYSTEM_ACTOR, { type: 'scheduled', plannedDate: '2026-03-14', channels: ['web'] })).name;
    const item = (await createWorkItem(h.deps, SYSTEM_ACTOR, { kind: 'SMCR', helpdeskRef: 'HD-0', title: 'fixture' })).key;
    const lifecycle = (
      await createRelease(h.deps, SYSTEM_ACTOR, { type: 'scheduled', plannedDate: '2026-03-28', channels: ['database', 'web'] })
    ).name;
    const lifecycleItem = (await createWorkItem(h.deps, SYSTEM_ACTOR, { kind: 'IR', helpdeskRef: 'HD-L', title: 'lifecycle fixture' })).key;
    await assignWorkItem(h.deps, SYSTEM_ACTOR, { key: lifecycleItem }, { release: lifecycle });
    const changedYaml = String(tpl.yaml).replace(
      /^ {2}changes: .*$/m,
      '  changes: A dry run from the authorization table.\n  preparedBy: Pat Preparer\n  reviewedBy: Rita Reviewer',
    );
    expect(changedYaml).not.toBe(tpl.yaml);
    let n = 0;
    // Two versions of a release file on the lifecycle release, for the package reads (diff needs a version before).
    for (const v of ['v1', 'v2']) {
      const upload = await app.inject({
        method: 'PUT',
        url: `${V}/releases/${lifecycle}/packages/database/files/CFIS014.${v}.xml`,
        headers: { ...bearer(admin.token), 'content-type': 'application/octet-stream' },
        payload: readFileSync(new URL(`../fixtures/cache-exports/CFIS014.${v}.xml`, import.meta.url)),
      });
      expectJson(upload, 201);
    }
    fx = { h, app, users, release, item, lifecycle, lifecycleItem, changedYaml, unique: (p) => `${p}-${++n}` };
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
          : rolesOf(route.access).includes(who);
    return allowed ? String(route.ok) : '403 urn:relman:problem:forbidden';
  }

  async function send(route: Route, who: string) {
    const r = (await route.req?.(fx, who)) ?? {};
    const creds = fx.users.get(who);
    const opts: InjectOptions = {
      method: route.method,
      url: r.url ?? route.url,
      headers: { ...(creds ? bearer(creds.token) : {}), ...(r.headers ?? {}) },
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
    // Every action the template can grant is exercised by some route in the table,
    // and so is every kind of role list the lifecycle carries.
    expect(new Set(ROUTES.map((r) => r.access.split(':')[0]))).toEqual(
      new Set([
        'public',
        'read',
        'self',
        'admin',
        'transition',
        'approval',
        'step',
        'report',
        'checklist',
        'deploy',
        'deploy-step',
        ...APP_ACTIONS,
      ]),
    );
    // The role lists the table expects are the template's own, e.g. web deployments by the deployment team only.
    expect(rolesOf('step:deploy:web')).toEqual(['deployment']);
    expect(rolesOf('transition:cancel').sort()).toEqual(['cmc', 'technical-lead']);
    expect(rolesOf('approval:at-go-ahead')).toEqual(['cmc']);
    expect(rolesOf('deploy-step:production:install-web')).toEqual(['deployment']);
  });

  it('spot checks: viewer never writes, developer creates releases, assignment is for leads', async () => {
    const writes = ROUTES.filter((r) => r.method !== 'GET' && r.access !== 'public' && r.access !== 'self' && !KNOWN_GAPS.has(keyOf(r)));
    for (const route of writes) {
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
    expect(documented).toHaveLength(table.length - 1);
    // Only the document itself stays out of it. (/metrics is served only with a metrics token: test/unit/metrics.test.ts.)
    const undocumented = [`GET ${V}/openapi.json`];
    expect(documented.sort()).toEqual(table.filter((k) => !undocumented.includes(k)));
  });
});
