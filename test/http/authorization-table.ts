/** The route table that authorization.test.ts checks against every role of the template in force. */
import { randomUUID } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import type { AppAction } from '../../src/domain/permissions.js';
import { SYSTEM_ACTOR } from '../../src/services/actor.js';
import { createToken } from '../../src/services/auth.js';
import { raiseIssue } from '../../src/services/lifecycle/evidence.js';
import { createRelease } from '../../src/services/releases.js';
import { createWorkItem } from '../../src/services/work-items.js';
import { ADMIN_PASSWORD, type Harness } from '../support/harness.js';

/**
 * Who may call what. `public`: anyone, signed in or not. `read`: any signed-in
 * user. `self`: any signed-in user, about themselves (sign out, own password,
 * own tokens). `admin`: the admin role only. An app action: exactly the roles
 * the process template in force grants that action. The lifecycle's
 * transitions, approval steps, per-channel steps and reports carry their own
 * role lists in the template: `transition:ID` (of the scheduled workflow),
 * `approval:ID`, `step:ID:CHANNEL`, `report:ID` mean exactly those roles;
 * `checklist:TASK`: the roles granted `checklist.complete` plus the task's
 * responsible roles; `deploy:ENV`: the roles of the template's deployment
 * plan for ENV; `deploy-step:ENV:STEP`: the roles of that plan's step.
 */
export type Access =
  | 'public'
  | 'read'
  | 'self'
  | 'admin'
  | AppAction
  | `transition:${string}`
  | `approval:${string}`
  | `step:${string}:${string}`
  | `report:${string}`
  | `checklist:${string}`
  | `deploy:${string}`
  | `deploy-step:${string}:${string}`;
export type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
type Req = { url?: string; payload?: unknown; headers?: Record<string, string> };
export type Route = {
  method: Method;
  url: string;
  access: Access;
  ok: 200 | 201 | 204;
  req?: (fx: Fixtures, who: string) => Req | Promise<Req>;
};

export const V = '/api/v1';
export const PASSWORD = 'correct horse battery staple'; // what userWith gives every user
export const ANON = 'anonymous';
export const TARGET = 'table-target';

export type Fixtures = {
  h: Harness;
  app: FastifyInstance;
  users: Map<string, { username: string; token: string }>;
  release: string;
  item: string;
  /** A scheduled database+web release in draft carrying `lifecycleItem`, for the lifecycle routes. */
  lifecycle: string;
  lifecycleItem: string;
  changedYaml: string;
  unique(prefix: string): string;
};

const freshItem = async (fx: Fixtures) =>
  (await createWorkItem(fx.h.deps, SYSTEM_ACTOR, { kind: 'IR', helpdeskRef: 'HD-assign', title: 'to attach' })).key;
/** Lifecycle writes that change a release for good (a transition, an approval) each get a release of their own. */
const freshRelease = async (fx: Fixtures) =>
  (await createRelease(fx.h.deps, SYSTEM_ACTOR, { type: 'scheduled', plannedDate: '2026-03-21', channels: ['web'] })).name;
const freshIssue = async (fx: Fixtures) =>
  (await raiseIssue(fx.h.deps, SYSTEM_ACTOR, { name: fx.lifecycle }, { category: 'at-issue', title: 'to resolve' })).number;
/** The smallest valid ZIP: one stored entry `index.html` holding `hi` (built once with yazl, kept as bytes). */
const TINY_ZIP = Buffer.from(
  'UEsDBBQAAAgAAAAAISisKpPYAgAAAAIAAAAKAAAAaW5kZXguaHRtbGhpUEsBAj8DFAAACAAAAAAhKKwqk9gCAAAAAgAAAAoACQAAAAAAAAAAALSBAAAAAGluZGV4Lmh0bWxVVAUAA4BDbThQSwUGAAAAAAEAAQBBAAAAKgAAAAAA',
  'base64',
);
const lc = (fx: Fixtures, rest = '') => `${V}/releases/${fx.lifecycle}${rest}`;
const freshTokenId = async (fx: Fixtures, who: string) => {
  const u = fx.users.get(who);
  return u ? (await createToken(fx.h.deps, SYSTEM_ACTOR, { user: u.username, name: 'to revoke' })).id : randomUUID();
};

export const ROUTES: Route[] = [
  { method: 'GET', url: '/healthz', access: 'public', ok: 200 },
  { method: 'GET', url: '/readyz', access: 'public', ok: 200 },
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
  { method: 'GET', url: `${V}/session/permissions`, access: 'self', ok: 200 },
  { method: 'DELETE', url: `${V}/session`, access: 'self', ok: 204 },
  {
    method: 'PUT',
    url: `${V}/session/password`,
    access: 'self',
    ok: 204,
    // Each role's user changes it once; a password may not be set to itself.
    req: (fx) => ({ payload: { currentPassword: PASSWORD, newPassword: fx.unique('a fresh passphrase') } }),
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
  { method: 'POST', url: `${V}/templates/validate`, access: 'admin', ok: 200, req: (fx) => ({ payload: { yaml: fx.changedYaml } }) },
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
  { method: 'GET', url: `${V}/audit/verify`, access: 'read', ok: 200 },
  { method: 'GET', url: `${V}/audit.csv`, access: 'read', ok: 200 },
  { method: 'GET', url: `${V}/releases/:name/gates`, access: 'read', ok: 200, req: (fx) => ({ url: lc(fx, '/gates') }) },
  { method: 'GET', url: `${V}/releases/:name/road`, access: 'read', ok: 200, req: (fx) => ({ url: lc(fx, '/road') }) },
  { method: 'GET', url: `${V}/me/work`, access: 'read', ok: 200 },
  { method: 'GET', url: `${V}/reports/triage`, access: 'read', ok: 200 },
  { method: 'GET', url: `${V}/reports/delivery`, access: 'read', ok: 200 },
  { method: 'GET', url: `${V}/items/:key/history`, access: 'read', ok: 200, req: (fx) => ({ url: `${V}/items/${fx.item}/history` }) },
  { method: 'GET', url: `${V}/releases/:name/changes`, access: 'read', ok: 200, req: (fx) => ({ url: lc(fx, '/changes') }) },
  {
    method: 'POST',
    url: `${V}/releases/:name/transitions`,
    access: 'transition:cancel',
    ok: 201,
    req: async (fx) => ({
      url: `${V}/releases/${await freshRelease(fx)}/transitions`,
      payload: { transition: 'cancel', comment: 'table' },
    }),
  },
  { method: 'GET', url: `${V}/releases/:name/history`, access: 'read', ok: 200, req: (fx) => ({ url: lc(fx, '/history') }) },
  { method: 'GET', url: `${V}/releases/:name/approvals`, access: 'read', ok: 200, req: (fx) => ({ url: lc(fx, '/approvals') }) },
  {
    method: 'POST',
    url: `${V}/releases/:name/approvals`,
    access: 'approval:at-go-ahead',
    ok: 201,
    req: async (fx) => ({
      url: `${V}/releases/${await freshRelease(fx)}/approvals`,
      payload: { step: 'at-go-ahead', decision: 'approve' },
    }),
  },
  {
    method: 'POST',
    url: `${V}/releases/:name/approvals/:step/requests`,
    access: 'release.update',
    ok: 201,
    req: (fx) => ({ url: lc(fx, '/approvals/at-go-ahead/requests'), payload: { comment: 'please' } }),
  },
  { method: 'GET', url: `${V}/releases/:name/evidence`, access: 'read', ok: 200, req: (fx) => ({ url: lc(fx, '/evidence') }) },
  {
    method: 'POST',
    url: `${V}/releases/:name/packages`,
    access: 'package.record',
    ok: 201,
    req: (fx, who) => ({ url: lc(fx, '/packages'), payload: { channel: 'web', label: `built by ${who}` } }),
  },
  {
    method: 'PUT',
    url: `${V}/releases/:name/packages/:channel/files/:fileName`,
    access: 'package.record',
    ok: 201,
    // A release of its own per caller: each upload is a first version there.
    req: async (fx) => ({
      url: `${V}/releases/${await freshRelease(fx)}/packages/web/files/static.zip`,
      headers: { 'content-type': 'application/octet-stream' },
      payload: TINY_ZIP,
    }),
  },
  { method: 'GET', url: `${V}/releases/:name/packages`, access: 'read', ok: 200, req: (fx) => ({ url: lc(fx, '/packages') }) },
  {
    method: 'GET',
    url: `${V}/releases/:name/packages/:channel/diff`,
    access: 'read',
    ok: 200,
    req: (fx) => ({ url: lc(fx, '/packages/database/diff') }),
  },
  {
    method: 'GET',
    url: `${V}/releases/:name/packages/:channel/:version`,
    access: 'read',
    ok: 200,
    req: (fx) => ({ url: lc(fx, '/packages/database/latest') }),
  },
  {
    method: 'GET',
    url: `${V}/releases/:name/packages/:channel/:version/coverage`,
    access: 'read',
    ok: 200,
    req: (fx) => ({ url: lc(fx, '/packages/database/1/coverage') }),
  },
  {
    method: 'GET',
    url: `${V}/releases/:name/packages/:channel/element-diff`,
    access: 'read',
    ok: 200,
    req: (fx) => ({ url: lc(fx, '/packages/database/element-diff?element=class%3ACMS.Patient') }),
  },
  {
    method: 'GET',
    url: `${V}/releases/:name/packages/:channel/:version/elements/:element`,
    access: 'read',
    ok: 200,
    req: (fx) => ({ url: lc(fx, '/packages/database/1/elements/class%3ACMS.Patient') }),
  },
  {
    method: 'GET',
    url: `${V}/releases/:name/packages/:channel/:version/file`,
    access: 'read',
    ok: 200,
    req: (fx) => ({ url: lc(fx, '/packages/database/1/file') }),
  },
  {
    method: 'POST',
    url: `${V}/releases/:name/tests`,
    access: 'test.record',
    ok: 201,
    req: (fx) => ({ url: lc(fx, '/tests'), payload: { item: fx.lifecycleItem, environment: 'development', result: 'passed' } }),
  },
  {
    method: 'POST',
    url: `${V}/releases/:name/issues`,
    access: 'issue.raise',
    ok: 201,
    req: (fx, who) => ({ url: lc(fx, '/issues'), payload: { category: 'project-issue', title: `raised by ${who}` } }),
  },
  {
    method: 'PATCH',
    url: `${V}/releases/:name/issues/:number`,
    access: 'issue.resolve',
    ok: 200,
    req: async (fx) => ({ url: lc(fx, `/issues/${await freshIssue(fx)}`), payload: { status: 'resolved', resolution: 'done' } }),
  },
  {
    method: 'POST',
    url: `${V}/releases/:name/notifications`,
    access: 'notification.record',
    ok: 201,
    req: (fx) => ({ url: lc(fx, '/notifications'), payload: { system: 'cats', means: 'phone', note: 'called the desk' } }),
  },
  {
    method: 'PUT',
    url: `${V}/releases/:name/reports/:report`,
    access: 'report:emergency-release-report',
    ok: 200,
    req: (fx) => ({ url: lc(fx, '/reports/emergency-release-report'), payload: { parts: { summary: 'table' } } }),
  },
  {
    method: 'POST',
    url: `${V}/releases/:name/steps`,
    access: 'step:deploy:web',
    ok: 201,
    req: (fx) => ({ url: lc(fx, '/steps'), payload: { step: 'deploy', channel: 'web' } }),
  },
];

/** Routes whose access is wider than it should be, pinned so a fix shows up here (none today). */
export const KNOWN_GAPS = new Set<string>();

export const keyOf = (r: { method: string; url: string }) => `${r.method} ${r.url}`;
