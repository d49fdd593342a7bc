import { Migrator, NO_MIGRATIONS, type MigrationResultSet } from 'kysely';
import type { Db } from './database.js';
import { migrations } from './migrations/index.js';

export class MigrationError extends Error {
  override readonly name = 'MigrationError';
}

function migrator(db: Db): Migrator {
  return new Migrator({
    db,
    provider: { getMigrations: () => Promise.resolve(migrations) },
    migrationTableName: 'relman_migrations',
    migrationLockTableName: 'relman_migrations_lock',
  });
}

function check(result: MigrationResultSet): string[] {
  if (result.error) {
    const failed = result.results?.find((r) => r.status === 'Error');
    const what = failed ? ` in ${failed.migrationName}` : '';
    throw new MigrationError(`migration failed${what}: ${String((result.error as Error).message ?? result.error)}`);
  }
  return (result.results ?? []).map((r) => `${r.direction === 'Up' ? 'applied' : 'reverted'} ${r.migrationName}`);
}

export async function migrateToLatest(db: Db): Promise<string[]> {
  return check(await migrator(db).migrateToLatest());
}

/** Migrate to a named migration, or to `0` for an empty database. */
export async function migrateTo(db: Db, target: string): Promise<string[]> {
  if (target !== '0' && !(target in migrations)) {
    throw new MigrationError(`unknown migration "${target}"; known: ${Object.keys(migrations).join(', ')}`);
  }
  return check(await migrator(db).migrateTo(target === '0' ? NO_MIGRATIONS : target));
}

export async function migrationStatus(db: Db): Promise<{ name: string; executedAt: Date | undefined }[]> {
  const list = await migrator(db).getMigrations();
  return list.map((m) => ({ name: m.name, executedAt: m.executedAt }));
}
