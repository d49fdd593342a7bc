/**
 * Drives release lifecycles over HTTP, as the people of the default template
 * would: each person is a `Call` bound to their own API token.
 */
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { expect } from 'vitest';
import { buildApp } from '../../src/http/app.js';
import type { ServiceDeps } from '../../src/services/deps.js';
import { userWith } from './harness.js';
import { caller, expectJson, expectProblem, type Call } from './http.js';

export const V = '/api/v1';
export const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/;

/** The API as the tests see it: every response checked against its schema, so an undeclared field fails loudly. */
export function strictApp(deps: ServiceDeps): Promise<FastifyInstance> {
  return buildApp({ deps, logLevel: 'silent', validateResponses: true });
}

/** A clock that moves one second on every reading: every record has its own time, in order. */
export function tickingClock(start = '2026-03-02T08:00:00.000Z'): () => Date {
  let t = Date.parse(start);
  return () => new Date((t += 1000));
}

export type Person = Call & { username: string };

export async function person(app: FastifyInstance, deps: ServiceDeps, roles: string[], username: string): Promise<Person> {
  const u = await userWith(deps, roles, username);
  return Object.assign(caller(app, u.token), { username });
}

/** One person per role of the default template; two coordinators, for separation of duties. */
export type Crew = Record<'cmcA' | 'cmcB' | 'lead' | 'dev' | 'webLead' | 'dbLead' | 'deployer' | 'analyst' | 'viewer', Person>;

export async function makeCrew(app: FastifyInstance, deps: ServiceDeps): Promise<Crew> {
  return {
    cmcA: await person(app, deps, ['cmc'], 'cmc-ann'),
    cmcB: await person(app, deps, ['cmc'], 'cmc-bob'),
    lead: await person(app, deps, ['technical-lead'], 'lead-lee'),
    dev: await person(app, deps, ['developer'], 'dev-dee'),
    webLead: await person(app, deps, ['web-lead'], 'web-wes'),
    dbLead: await person(app, deps, ['database-lead'], 'db-dan'),
    deployer: await person(app, deps, ['deployment'], 'ops-olga'),
    analyst: await person(app, deps, ['systems-analyst'], 'sa-sam'),
    viewer: await person(app, deps, ['viewer'], 'viewer-vic'),
  };
}

export const rel = (name: string, rest = '') => `${V}/releases/${name}${rest}`;

/** A release created by `who`, carrying one new work item attached by `assigner`. */
export async function releaseWithItem(
  who: Person,
  assigner: Person,
  release: { type: string; channels: string[]; plannedDate?: string },
  item: { kind: string; helpdeskRef: string; title: string },
): Promise<{ name: string; item: string }> {
  const r = expectJson(await who('POST', `${V}/releases`, { plannedDate: '2026-03-14', ...release }), 201);
  const it = expectJson(await who('POST', `${V}/items`, item), 201);
  expectJson(await assigner('PUT', `${V}/items/${it.key}/release`, { release: r.name }), 200);
  return { name: r.name as string, item: it.key as string };
}

export const transition = (who: Person, name: string, id: string, comment?: string) =>
  who('POST', rel(name, '/transitions'), comment === undefined ? { transition: id } : { transition: id, comment });

/** Performs a transition that must succeed; returns the transition record. */
export async function move(who: Person, name: string, id: string, comment?: string) {
  const t = expectJson(await transition(who, name, id, comment), 201);
  expect(t).toMatchObject({ transition: id, performedBy: who.username, performedAt: expect.stringMatching(ISO) });
  return t;
}

/** A transition that must be refused; returns the problem with its `unmet` list and `gates`. */
export async function refused(who: Person, name: string, id: string, comment?: string) {
  const p = expectProblem(await transition(who, name, id, comment), 409, 'gates-not-satisfied');
  expect(p.transition).toBe(id);
  return p as typeof p & { unmet: string[]; gates: { id: string; pass: boolean; reasons: string[]; evidence: unknown[] }[] };
}

export const approve = (who: Person, name: string, step: string, extra: Record<string, unknown> = {}) =>
  who('POST', rel(name, '/approvals'), { step, decision: 'approve', ...extra });

export const recordStep = (who: Person, name: string, step: string, channel: string) => who('POST', rel(name, '/steps'), { step, channel });

export const recordPackage = (who: Person, name: string, channel: string, label: string) =>
  who('POST', rel(name, '/packages'), { channel, label });

export const recordTest = (who: Person, name: string, body: Record<string, unknown>) => who('POST', rel(name, '/tests'), body);

/** Packages every channel, verifies each package and marks the package verified. */
export async function packageAndVerify(crew: Crew, name: string, channels: string[]): Promise<void> {
  await move(crew.dev, name, 'start-packaging');
  for (const c of channels) {
    expectJson(await recordPackage(crew.dev, name, c, `${name}-${c}-v1`), 201);
    expectJson(await recordStep(crew.dev, name, 'verify-package', c), 201);
  }
  await move(crew.dev, name, 'mark-package-verified');
}

export const statuses = (responses: LightMyRequestResponse[]) => responses.map((r) => r.statusCode).sort();
