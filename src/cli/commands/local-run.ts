import os from 'node:os';
import { loadSettings } from '../../config/settings.js';
import { migrateTo, migrateToLatest, migrationStatus } from '../../db/migrator.js';
import { MissingDatabaseError, openExistingFromSettings, openFromSettings } from '../../runtime.js';
import { localActor } from '../../services/actor.js';
import { verifyAudit } from '../../services/audit.js';
import { createToken } from '../../services/auth.js';
import type { ServiceDeps } from '../../services/deps.js';
import { addUser } from '../../services/users.js';
import { CliError, EXIT } from '../errors.js';
import { printJson } from '../output.js';

/**
 * What the local admin commands (`local.ts`) do on the database, loaded only
 * when one of them runs without a server: it brings the settings reader, the
 * database drivers and the services.
 */

/**
 * Local admin commands run straight on the configured database, with no
 * server. They open an existing, migrated database only: run anywhere else,
 * they say where they looked instead of creating a new, empty one.
 * `migrate` (`create: true`) is the one local command that may create it.
 */
async function withDatabase<T>(fn: (deps: ServiceDeps) => Promise<T>, options: { create?: boolean } = {}): Promise<T> {
  const settings = loadSettings();
  let deps: ServiceDeps;
  try {
    deps = options.create ? openFromSettings(settings) : await openExistingFromSettings(settings);
  } catch (err) {
    if (err instanceof MissingDatabaseError) throw new CliError(err.message, EXIT.notFound);
    throw err;
  }
  try {
    return await fn(deps);
  } finally {
    await deps.database.close();
  }
}

const actor = () => localActor(os.userInfo().username);

export async function migrate(opts: { to?: string; status?: boolean }): Promise<void> {
  await withDatabase(
    async (deps) => {
      if (opts.status) {
        for (const m of await migrationStatus(deps.database.kysely)) {
          process.stdout.write(
            `${m.executedAt ? 'applied ' : 'pending '} ${m.name}${m.executedAt ? `  ${m.executedAt.toISOString()}` : ''}\n`,
          );
        }
        return;
      }
      const done = opts.to === undefined ? await migrateToLatest(deps.database.kysely) : await migrateTo(deps.database.kysely, opts.to);
      process.stdout.write(done.length === 0 ? 'database is up to date\n' : `${done.join('\n')}\n`);
    },
    { create: true },
  );
}

export function addUserLocally(input: Parameters<typeof addUser>[2]): ReturnType<typeof addUser> {
  return withDatabase((deps) => addUser(deps, actor(), input));
}

export function createTokenLocally(input: Parameters<typeof createToken>[2]): ReturnType<typeof createToken> {
  return withDatabase((deps) => createToken(deps, actor(), input));
}

export async function verifyAuditLocally(json: boolean): Promise<void> {
  await withDatabase(async (deps) => {
    const r = await verifyAudit(deps.database.kysely);
    if (json) printJson(r);
    if (r.ok) {
      if (!json) process.stdout.write(`OK: ${r.events} events, chain head ${r.headHash}\n`);
      return;
    }
    throw new CliError(
      `audit chain broken at event ${r.seq}${r.eventId ? ` (id ${r.eventId})` : ''}: ${r.reason}; ${r.events} events before it verified`,
      EXIT.auditBroken,
    );
  });
}
