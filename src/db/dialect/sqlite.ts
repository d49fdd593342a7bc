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

/** Prepares each SQL text once; the least recently used statement is dropped when `max` are kept. */
class StatementCache {
  readonly #cache = new Map<string, BetterSqlite3.Statement>();
  constructor(
    private readonly prepare: (source: string) => BetterSqlite3.Statement,
    private readonly max = 500,
  ) {}

  get(source: string): BetterSqlite3.Statement {
    let stmt = this.#cache.get(source);
    if (stmt) {
      // Refresh its place so the least recently used statement is evicted first.
      this.#cache.delete(source);
    } else {
      stmt = this.prepare(source);
      if (this.#cache.size >= this.max) {
        const oldest = this.#cache.keys().next().value;
        if (oldest !== undefined) this.#cache.delete(oldest);
      }
    }
    this.#cache.set(source, stmt);
    return stmt;
  }
}

/**
 * Kysely prepares every query anew; preparing is a measurable share of a
 * read's cost. Queries are generated from a fixed set of builders, so their
 * SQL texts repeat and a bounded cache of prepared statements pays off.
 * Kysely runs one query at a time on the connection, so a statement is never
 * in use twice at once. See docs/fast-paths.md ("Prepared-statement cache").
 */
function withStatementCache(database: BetterSqlite3.Database, max = 500): BetterSqlite3.Database {
  const cache = new StatementCache(database.prepare.bind(database), max);
  const prepare = (source: string): BetterSqlite3.Statement => cache.get(source);
  // Only `prepare` differs; every other member is the database's own, bound once.
  const bound = new Map<PropertyKey, unknown>();
  return new Proxy(database, {
    get(target, prop, receiver) {
      if (prop === 'prepare') return prepare;
      const value: unknown = Reflect.get(target, prop, receiver);
      if (typeof value !== 'function') return value;
      let fn = bound.get(prop);
      if (fn === undefined) bound.set(prop, (fn = (value as (...a: unknown[]) => unknown).bind(target)));
      return fn;
    },
  });
}

/**
 * A second connection to the same file that only reads (`query_only`), for
 * the hot read statements (src/db/read.ts). It runs a statement at once,
 * synchronously, without queueing behind the write connection's open
 * transaction, and (WAL) sees every transaction committed before the
 * statement starts — never one still open. See docs/fast-paths.md
 * ("SQLite read connection").
 */
export class SqliteReader {
  #db: BetterSqlite3.Database | undefined;
  #statements: StatementCache | undefined;
  #closed = false;

  constructor(
    private readonly file: string,
    private readonly statementCache: boolean,
  ) {}

  #open(): BetterSqlite3.Database {
    if (this.#closed) throw new Error('the database is closed');
    if (this.#db) return this.#db;
    const db = new BetterSqlite3(this.file, { fileMustExist: true });
    db.pragma('busy_timeout = 10000');
    db.pragma('query_only = ON');
    this.#db = db;
    if (this.statementCache) this.#statements = new StatementCache(db.prepare.bind(db));
    return db;
  }

  all<T>(source: string, params: readonly unknown[]): T[] {
    const db = this.#open();
    const stmt = this.#statements ? this.#statements.get(source) : db.prepare(source);
    return stmt.all(...params) as T[];
  }

  close(): void {
    this.#closed = true;
    this.#db?.close();
    this.#db = undefined;
  }
}

export function sqliteFile(dataDir: string): string {
  return path.join(dataDir, 'relman.db');
}

export type SqliteOptions = {
  /** Open an existing file only (never create one, nor its folder). */
  mustExist?: boolean | undefined;
  /** Keep prepared statements per SQL text (default on). */
  statementCache?: boolean | undefined;
  /** Run the hot read statements on a read-only second connection (default on; never for `:memory:`). */
  readConnection?: boolean | undefined;
};

export function createSqliteDialect(
  file: string,
  options: SqliteOptions = {},
): { dialect: SqliteDialect; reader: SqliteReader | undefined } {
  const mustExist = options.mustExist ?? false;
  const statementCache = options.statementCache ?? true;
  if (file !== ':memory:' && !mustExist) mkdirSync(path.dirname(file), { recursive: true });
  const database = new BetterSqlite3(file, { fileMustExist: mustExist });
  database.pragma('journal_mode = WAL');
  database.pragma('synchronous = NORMAL');
  database.pragma('foreign_keys = ON');
  database.pragma('busy_timeout = 10000');
  const reader =
    options.readConnection !== false && file !== ':memory:' && file !== '' ? new SqliteReader(file, statementCache) : undefined;
  return {
    dialect: new ImmediateSqliteDialect({ database: statementCache ? withStatementCache(database) : database }),
    reader,
  };
}
