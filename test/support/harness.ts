import type { FastifyInstance } from 'fastify';
import { DEFAULT_TEMPLATE_FILE } from '../../src/config/settings.js';
import { buildApp } from '../../src/http/app.js';
import { createDeps } from '../../src/runtime.js';
import { SYSTEM_ACTOR, type Actor } from '../../src/services/actor.js';
import { createToken } from '../../src/services/auth.js';
import { bootstrap } from '../../src/services/bootstrap.js';
import type { Clock } from '../../src/services/clock.js';
import type { ServiceDeps } from '../../src/services/deps.js';
import { addUser } from '../../src/services/users.js';
import { open, scratchDatabase, type DialectCase, type ScratchDatabase } from './databases.js';

export const ADMIN_PASSWORD = 'admin-password-for-tests';

export type Harness = {
  deps: ServiceDeps;
  scratch: ScratchDatabase;
  close(): Promise<void>;
};

/** A bootstrapped relman database (default template, default application, admin). */
export async function harness(dialect: DialectCase['name'], clock?: Clock): Promise<Harness> {
  const scratch = await scratchDatabase(dialect);
  const deps = createDeps(open(scratch), clock);
  await bootstrap(deps, { templateFile: DEFAULT_TEMPLATE_FILE, adminPassword: ADMIN_PASSWORD });
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
