import type { FastifyInstance } from 'fastify';
import { buildApp } from '../../src/http/app.js';
import { createDeps } from '../../src/runtime.js';
import { SYSTEM_ACTOR, type Actor } from '../../src/services/actor.js';
import { createToken } from '../../src/services/auth.js';
import { systemClock, type Clock } from '../../src/services/clock.js';
import type { ServiceDeps } from '../../src/services/deps.js';
import { addUser } from '../../src/services/users.js';
import { open, scratchDatabase, testTemplates, type DialectCase, type ScratchDatabase } from './databases.js';
import { restamp } from './templates.js';

export { ADMIN_PASSWORD } from './databases.js';

export type Harness = {
  deps: ServiceDeps;
  scratch: ScratchDatabase;
  close(): Promise<void>;
};

/**
 * A bootstrapped relman database (default template, default application, admin
 * with ADMIN_PASSWORD): a copy of the run's template, as bootstrap would have
 * written it with `clock` (test/support/templates.ts). With `secretKey`, `deps.secrets`
 * seals and opens stored secrets; without it, it is null (no RELMAN_SECRET_KEY).
 */
export async function harness(
  dialect: DialectCase['name'],
  clock: Clock = systemClock,
  options: { secretKey?: Buffer | undefined } = {},
): Promise<Harness> {
  const scratch = await scratchDatabase(dialect, { bootstrapped: true });
  const deps = createDeps(open(scratch), clock, { secretKey: options.secretKey });
  const template = testTemplates()[dialect];
  if (!template) throw new Error(`no ${dialect} template was built for this run`);
  await restamp(deps.database.kysely, template, clock);
  return {
    deps,
    scratch,
    async close() {
      await deps.database.close();
      await scratch.drop();
    },
  };
}

let userSeq = 0;

/** Creates a user with the given roles; returns the actor and an API token for them. */
export async function userWith(
  deps: ServiceDeps,
  roles: string[],
  name?: string,
): Promise<{ actor: Actor; token: string; username: string }> {
  const username = name ?? `u${++userSeq}-${roles.join('-') || 'none'}`.slice(0, 60);
  const u = await addUser(deps, SYSTEM_ACTOR, { username, roles, password: 'correct horse battery staple' });
  const t = await createToken(deps, SYSTEM_ACTOR, { user: username });
  const row = await deps.database.kysely.selectFrom('users').select('id').where('username', '=', username).executeTakeFirstOrThrow();
  return { actor: { userId: row.id, username: u.username, roles: u.roles }, token: t.token, username };
}

export async function httpApp(deps: ServiceDeps): Promise<FastifyInstance> {
  return buildApp({ deps, logLevel: 'silent' });
}
