import { openDatabase, type Database, type DatabaseTarget } from './db/database.js';
import { sqliteFile } from './db/dialect/sqlite.js';
import type { Settings } from './config/settings.js';
import { systemClock, type Clock } from './services/clock.js';
import type { ReadCaches, ServiceDeps } from './services/deps.js';
import { READ_CACHE_TTL_MS, TtlCache } from './services/read-cache.js';
import { TemplateCache } from './services/template-cache.js';

export function databaseTarget(settings: Pick<Settings, 'databaseUrl' | 'dataDir'>): DatabaseTarget {
  const url = settings.databaseUrl;
  if (url === undefined) return { dialect: 'sqlite', file: sqliteFile(settings.dataDir) };
  if (/^postgres(ql)?:\/\//.test(url)) return { dialect: 'postgres', url };
  if (url.startsWith('sqlite:')) return { dialect: 'sqlite', file: url.slice('sqlite:'.length).replace(/^\/\//, '') };
  throw new Error(`DATABASE_URL must start with postgres:// or sqlite:, got "${url.split(':')[0] ?? ''}:…"`);
}

/** `readCacheTtlMs: 0` turns the read caches off (every read goes to the database). */
export function createDeps(database: Database, clock: Clock = systemClock, options: { readCacheTtlMs?: number } = {}): ServiceDeps {
  const ttl = options.readCacheTtlMs ?? READ_CACHE_TTL_MS;
  const caches: ReadCaches = { tokens: new TtlCache(ttl), apps: new TtlCache(ttl), releases: new TtlCache(ttl) };

  // Any write of this process may change a release view (its items, their titles …).
  database.onAnyCommit(() => caches.releases.clear());
  return { database, clock, templates: new TemplateCache(), caches };
}

export function openFromSettings(settings: Pick<Settings, 'databaseUrl' | 'dataDir'>): ServiceDeps {
  return createDeps(openDatabase(databaseTarget(settings)));
}
