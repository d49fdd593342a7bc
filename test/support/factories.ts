/**
 * Test data and test databases, built the same way in every suite.
 *
 * `fixtures(deps)` (`fx`) makes users, the usual crew of the default template
 * and releases. `harnessPerTest` and `crewPerTest` give each test of the
 * enclosing `describe` a fresh bootstrapped database (test/support/harness.ts);
 * `appPerFile` and `httpCrewPerFile` give the whole `describe` one database
 * and one app, for suites whose tests do not depend on each other's writes.
 */
import type { FastifyInstance } from 'fastify';
import { afterAll, afterEach, beforeAll, beforeEach } from 'vitest';
import type { Actor } from '../../src/services/actor.js';
import type { Clock } from '../../src/services/clock.js';
import type { ServiceDeps } from '../../src/services/deps.js';
import { createRelease, type CreateReleaseInput } from '../../src/services/releases.js';
import type { DialectCase } from './databases.js';
import { harness, httpApp, userWith, type Harness } from './harness.js';
import { makeCrew, type Crew } from './lifecycle-flow.js';
import { makeCrew as makeHttpCrew, strictApp, tickingClock, type Crew as HttpCrew } from './lifecycle-http.js';
import { manualClock, releaseInput, type ManualClock } from './service-fixtures.js';

export type TestUser = { actor: Actor; token: string; username: string };

export type Fixtures = {
  /** A user with these roles (none by default), an API token and the actor the services take. */
  user(opts?: { roles?: string[]; name?: string }): Promise<TestUser>;
  /** Users made in the order given, by username: `{ carla: ['cmc'] }`; returns their actors by the same names. */
  actors<K extends string>(roles: Record<K, string[]>): Promise<Record<K, Actor>>;
  /** One person per role of the default template (test/support/lifecycle-flow.ts). */
  crew(): Promise<Crew>;
  /** A valid scheduled release (test/support/service-fixtures.ts `releaseInput`), created by `by`. */
  release(by: Actor, over?: Partial<CreateReleaseInput>): ReturnType<typeof createRelease>;
};

export function fixtures(deps: ServiceDeps): Fixtures {
  return {
    user: (opts = {}) => userWith(deps, opts.roles ?? [], opts.name),
    async actors<K extends string>(roles: Record<K, string[]>) {
      const out = {} as Record<K, Actor>;
      for (const [name, r] of Object.entries(roles) as [K, string[]][]) out[name] = (await userWith(deps, r, name)).actor;
      return out;
    },
    crew: () => makeCrew(deps),
    release: (by, over = {}) => createRelease(deps, by, releaseInput(over)),
  };
}

export type Bed = { h: Harness; deps: ServiceDeps; clock: ManualClock; fx: Fixtures };

/**
 * A fresh harness for every test, on a hand-moved clock: `opts.clock` reset to
 * `opts.start` when given, otherwise a new `manualClock(opts.start)`. `setup`
 * runs after the harness is made; the harness is closed after the test.
 */
export function harnessPerTest(
  dialect: DialectCase['name'],
  setup: (bed: Bed) => unknown,
  opts: { clock?: ManualClock; start?: string; systemClock?: boolean; secretKey?: Buffer } = {},
): void {
  let h: Harness | undefined;
  beforeEach(async () => {
    const clock = opts.clock ?? manualClock(opts.start);
    if (opts.clock && opts.start !== undefined) clock.set(opts.start);
    h = await harness(dialect, opts.systemClock ? undefined : clock.clock, { secretKey: opts.secretKey });
    await setup({ h, deps: h.deps, clock, fx: fixtures(h.deps) });
  });
  afterEach(async () => {
    await h?.close();
    h = undefined;
  });
}

/** `harnessPerTest` with the crew of the default template made first. */
export function crewPerTest(
  dialect: DialectCase['name'],
  setup: (bed: Bed & { crew: Crew }) => unknown,
  opts: { secretKey?: Buffer } = {},
): void {
  harnessPerTest(dialect, async (bed) => setup({ ...bed, crew: await bed.fx.crew() }), opts);
}

type Served = FastifyInstance | { app: FastifyInstance; close(): Promise<unknown> };

const isServed = (s: Served): s is { app: FastifyInstance; close(): Promise<unknown> } => 'app' in s;

export type AppBed<A extends Served = FastifyInstance> = { h: Harness; deps: ServiceDeps; app: FastifyInstance; served: A; fx: Fixtures };

/**
 * One harness and one app (`httpApp` unless `opts.app`) for all the tests of
 * the enclosing `describe`; `setup` runs once they are made.
 */
export function appPerFile<A extends Served = FastifyInstance>(
  dialect: DialectCase['name'],
  setup: (bed: AppBed<A>) => unknown,
  opts: { clock?: Clock; app?: (deps: ServiceDeps) => Promise<A> } = {},
): void {
  let h: Harness | undefined;
  let served: A | undefined;
  beforeAll(async () => {
    h = await harness(dialect, opts.clock);
    served = await (opts.app ?? (httpApp as unknown as (deps: ServiceDeps) => Promise<A>))(h.deps);
    const app: FastifyInstance = isServed(served) ? served.app : served;
    await setup({ h, deps: h.deps, app, served, fx: fixtures(h.deps) });
  });
  afterAll(async () => {
    await served?.close();
    await h?.close();
  });
}

/**
 * The lifecycle suites over HTTP: one harness on a ticking clock, the strict
 * app (or `opts.app`) and one person per role (test/support/lifecycle-http.ts).
 */
export function httpCrewPerFile<A extends Served = FastifyInstance>(
  dialect: DialectCase['name'],
  setup: (bed: AppBed<A> & { crew: HttpCrew }) => unknown,
  opts: { app?: (deps: ServiceDeps) => Promise<A> } = {},
): void {
  appPerFile<A>(dialect, async (bed) => setup({ ...bed, crew: await makeHttpCrew(bed.app, bed.deps) }), {
    clock: tickingClock(),
    app: opts.app ?? (strictApp as unknown as (deps: ServiceDeps) => Promise<A>),
  });
}
