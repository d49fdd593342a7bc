import { mkdirSync } from 'node:fs';
import path from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { CompiledQuery, SqliteDialect, SqliteDriver, type DatabaseConnection, type Driver } from 'kysely';

/**
 * Write transactions start with BEGIN IMMEDIATE: a deferred transaction that
 * reads first and writes later fails with SQLITE_BUSY (no wait) when another
 * process (say, `relman user add` beside a running server) wrote in between.
 */
class ImmediateSqliteDriver extends SqliteDriver {
  override async beginTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw('begin immediate'));
  }
}

class ImmediateSqliteDialect extends SqliteDialect {
  readonly #config: ConstructorParameters<typeof SqliteDialect>[0];
  constructor(config: ConstructorParameters<typeof SqliteDialect>[0]) {
    super(config);
    this.#config = config;
  }
  override createDriver(): Driver {
    return new ImmediateSqliteDriver(this.#config);
  }
}

/**
 * Kysely prepares every query anew; preparing is a measurable share of a
 * read's cost. Queries are generated from a fixed set of builders, so their
 * SQL texts repeat and a bounded cache of prepared statements pays off.
 * Kysely runs one query at a time on the connection, so a statement is never
 * in use twice at once.
 */
function withStatementCache(database: BetterSqlite3.Database, max = 500): BetterSqlite3.Database {
  const cache = new Map<string, BetterSqlite3.Statement>();
  const prepare = database.prepare.bind(database);
  const cached = (source: string): BetterSqlite3.Statement => {
    let stmt = cache.get(source);
    if (stmt) {
      // Refresh its place so the least recently used statement is evicted first.
      cache.delete(source);
    } else {
      stmt = prepare(source);
      if (cache.size >= max) {
        const oldest = cache.keys().next().value;
        if (oldest !== undefined) cache.delete(oldest);
      }
    }
    cache.set(source, stmt);
    return stmt;
  };
  return new Proxy(database, {
    get(target, prop, receiver) {
      if (prop === 'prepare') return cached;
      const value: unknown = Reflect.get(target, prop, receiver);
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
  });
}

export function sqliteFile(dataDir: string): string {
  return path.join(dataDir, 'relman.db');
}

/** `mustExist`: open an existing file only (never create one, nor its folder). */
export function createSqliteDialect(file: string, mustExist = false): SqliteDialect {
  if (file !== ':memory:' && !mustExist) mkdirSync(path.dirname(file), { recursive: true });
  const database = new BetterSqlite3(file, { fileMustExist: mustExist });
  database.pragma('journal_mode = WAL');
  database.pragma('synchronous = NORMAL');
  database.pragma('foreign_keys = ON');
  database.pragma('busy_timeout = 10000');
  return new ImmediateSqliteDialect({ database: withStatementCache(database) });
}
