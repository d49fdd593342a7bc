import { existsSync } from 'node:fs';
import { openDatabase, type Database, type DatabaseTarget } from './db/database.js';
import { migrationStatus } from './db/migrator.js';
import { sqliteFile } from './db/dialect/sqlite.js';
import type { Settings } from './config/settings.js';
import { SecretBox } from './integrations/secrets/secret-box.js';
import { systemClock, type Clock } from './services/clock.js';
import type { ReadCaches, ServiceDeps } from './services/deps.js';
import { READ_CACHE_TTL_MS, TtlCache } from './services/read-cache.js';
import { TemplateCache } from './services/template-cache.js';

/** Where the database is and how it is opened; the fast-path switches default to on. */
export type DatabaseSettings = Pick<Settings, 'databaseUrl' | 'dataDir'> &
  Partial<Pick<Settings, 'readCache' | 'sqliteStatementCache' | 'sqliteReadConnection' | 'secretKey'>>;

export function databaseTarget(settings: DatabaseSettings): DatabaseTarget {
  const url = settings.databaseUrl;
  const sqlite = {
    statementCache: settings.sqliteStatementCache ?? true,
    readConnection: settings.sqliteReadConnection ?? true,
  };
  if (url === undefined) return { dialect: 'sqlite', file: sqliteFile(settings.dataDir), ...sqlite };
  if (/^postgres(ql)?:\/\//.test(url)) return { dialect: 'postgres', url };
  if (url.startsWith('sqlite:')) return { dialect: 'sqlite', file: url.slice('sqlite:'.length).replace(/^\/\//, ''), ...sqlite };
  throw new Error(`DATABASE_URL must start with postgres:// or sqlite:, got "${url.split(':')[0] ?? ''}:…"`);
}

/**
 * `readCaches: false` (RELMAN_READ_CACHE=0) or `readCacheTtlMs: 0` turns the read caches off: every read goes to
 * the database. See docs/fast-paths.md ("Read caches"). `secretKey` (RELMAN_SECRET_KEY) seals stored secrets;
 * without it `deps.secrets` is null.
 */
export function createDeps(
  database: Database,
  clock: Clock = systemClock,
  options: { readCacheTtlMs?: number; readCaches?: boolean; secretKey?: Buffer | undefined } = {},
): ServiceDeps {
  const ttl = options.readCaches === false ? 0 : (options.readCacheTtlMs ?? READ_CACHE_TTL_MS);
  const caches: ReadCaches = { tokens: new TtlCache(ttl), apps: new TtlCache(ttl), releases: new TtlCache(ttl) };

  // Any write of this process may change a release view (its items, their titles …).
  database.onAnyCommit(() => caches.releases.clear());
  const secrets = options.secretKey ? new SecretBox(options.secretKey) : null;
  return { database, clock, templates: new TemplateCache(), caches, secrets };
}

export function openFromSettings(settings: DatabaseSettings): ServiceDeps {
  return createDeps(openDatabase(databaseTarget(settings)), systemClock, {
    readCaches: settings.readCache ?? true,
    secretKey: settings.secretKey,
  });
}

/** A local command found no relman database where the settings point. */
export class MissingDatabaseError extends Error {
  override readonly name = 'MissingDatabaseError';
}

/** Where the settings point, for messages: the SQLite file, or the PostgreSQL URL without its password. */
export function describeTarget(target: DatabaseTarget): string {
  if (target.dialect === 'sqlite') return target.file;
  try {
    const u = new URL(target.url);
    if (u.password !== '') u.password = '***';
    return u.toString();
  } catch {
    return 'DATABASE_URL';
  }
}

/**
 * Opens the database the settings point at only if it exists and holds relman's
 * schema up to date; never creates a file, a folder or a table. For local
 * admin commands: `serve` and `migrate` are the ones that create.
 */
export async function openExistingFromSettings(settings: DatabaseSettings): Promise<ServiceDeps> {
  const target = databaseTarget(settings);
  const where = describeTarget(target);
  const hint =
    'run this in the folder where `relman serve` runs, or set RELMAN_DATA_DIR (SQLite) or DATABASE_URL (PostgreSQL) to the server’s; ' +
    'or sign in with `relman login` to work through the server';
  if (target.dialect === 'sqlite' && !existsSync(target.file)) throw new MissingDatabaseError(`no relman database at ${where}; ${hint}`);
  const database = openDatabase(target.dialect === 'sqlite' ? { ...target, mustExist: true } : target);
  try {
    const status = await migrationStatus(database.kysely);
    if (status.every((m) => m.executedAt === undefined)) throw new MissingDatabaseError(`no relman database at ${where}; ${hint}`);
    const pending = status.filter((m) => m.executedAt === undefined).map((m) => m.name);
    if (pending.length > 0) {
      throw new MissingDatabaseError(
        `the relman database at ${where} is not up to date (pending: ${pending.join(', ')}); run \`relman migrate\` or start \`relman serve\` first`,
      );
    }
  } catch (err) {
    await database.close();
    // PostgreSQL: the database named in DATABASE_URL does not exist.
    if ((err as { code?: unknown }).code === '3D000') throw new MissingDatabaseError(`no relman database at ${where}; ${hint}`);
    throw err;
  }
  return createDeps(database, systemClock, { readCaches: settings.readCache ?? true, secretKey: settings.secretKey });
}
