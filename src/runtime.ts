import { openDatabase, type Database, type DatabaseTarget } from './db/database.js';
import { sqliteFile } from './db/dialect/sqlite.js';
import type { Settings } from './config/settings.js';
import { systemClock, type Clock } from './services/clock.js';
import type { ServiceDeps } from './services/deps.js';
import { TemplateCache } from './services/template-cache.js';

export function databaseTarget(settings: Pick<Settings, 'databaseUrl' | 'dataDir'>): DatabaseTarget {
  const url = settings.databaseUrl;
  if (url === undefined) return { dialect: 'sqlite', file: sqliteFile(settings.dataDir) };
  if (/^postgres(ql)?:\/\//.test(url)) return { dialect: 'postgres', url };
  if (url.startsWith('sqlite:')) return { dialect: 'sqlite', file: url.slice('sqlite:'.length).replace(/^\/\//, '') };
  throw new Error(`DATABASE_URL must start with postgres:// or sqlite:, got "${url.split(':')[0] ?? ''}:…"`);
}

export function createDeps(database: Database, clock: Clock = systemClock): ServiceDeps {
  return { database, clock, templates: new TemplateCache() };
}

export function openFromSettings(settings: Pick<Settings, 'databaseUrl' | 'dataDir'>): ServiceDeps {
  return createDeps(openDatabase(databaseTarget(settings)));
}
