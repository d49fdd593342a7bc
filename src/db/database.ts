import { AsyncLocalStorage } from 'node:async_hooks';
import { Kysely, type DatabaseConnection, type Dialect, type Driver, type TransactionSettings, type Transaction } from 'kysely';
import type { Tables } from './schema.js';
import { createPostgresDialect, isRetryablePostgresError } from './dialect/postgres.js';
import { createSqliteDialect, type SqliteReader } from './dialect/sqlite.js';
import { attachDirectReader } from './read.js';

export type DialectName = 'sqlite' | 'postgres';
export type Db = Kysely<Tables>;
export type Trx = Transaction<Tables>;

export interface TxContext {
  readonly db: Trx;
  /** Runs after the transaction commits; never for one that rolled back. */
  readonly onCommit: (fn: () => void | Promise<void>) => void;
}

export interface Database {
  readonly kysely: Db;
  readonly dialect: DialectName;
  transaction<T>(fn: (tx: TxContext) => Promise<T>): Promise<T>;
  /** Runs after every committed transaction of this process (to drop read caches). */
  onAnyCommit(listener: () => void): void;
  ping(): Promise<void>;
  close(): Promise<void>;
}

export type DatabaseTarget =
  | {
      dialect: 'sqlite';
      file: string;
      /** Open an existing file only. */
      mustExist?: boolean;
      /** Prepared statements kept per SQL text (default on; RELMAN_SQLITE_STATEMENT_CACHE). */
      statementCache?: boolean;
      /** Hot reads on a second, read-only connection (default on; RELMAN_SQLITE_READ_CONNECTION). */
      readConnection?: boolean;
    }
  | { dialect: 'postgres'; url: string; poolSize?: number };

const MAX_ATTEMPTS = 5;

/** Thrown for a nested transaction or a query through the outer handle inside a transaction. */
export class TransactionMisuseError extends Error {
  override readonly name = 'TransactionMisuseError';
}

/**
 * Set while a transaction's callback runs. Inside it every query must go
 * through the transaction's handle: on SQLite (one connection) a nested
 * transaction, or a read through the outer handle, would wait for the
 * connection the transaction holds, forever; on PostgreSQL it would run
 * outside the transaction and see other data than the transaction does.
 */
const insideTransaction = new AsyncLocalStorage<true>();

function misuse(what: string): TransactionMisuseError {
  return new TransactionMisuseError(`${what} inside a transaction: use the transaction's handle (tx.db) for every query until it commits`);
}

/**
 * A transaction's own queries run on the connection it acquired once; any
 * other acquisition while its callback runs is a query through the outer
 * handle (or a nested transaction), refused instead of left to hang.
 */
class GuardedDriver implements Driver {
  constructor(private readonly inner: Driver) {}
  init(): Promise<void> {
    return this.inner.init();
  }
  acquireConnection(): Promise<DatabaseConnection> {
    if (insideTransaction.getStore()) return Promise.reject(misuse('a query through the outer database handle'));
    return this.inner.acquireConnection();
  }
  beginTransaction(connection: DatabaseConnection, settings: TransactionSettings): Promise<void> {
    return this.inner.beginTransaction(connection, settings);
  }
  commitTransaction(connection: DatabaseConnection): Promise<void> {
    return this.inner.commitTransaction(connection);
  }
  rollbackTransaction(connection: DatabaseConnection): Promise<void> {
    return this.inner.rollbackTransaction(connection);
  }
  releaseConnection(connection: DatabaseConnection): Promise<void> {
    return this.inner.releaseConnection(connection);
  }
  destroy(): Promise<void> {
    return this.inner.destroy();
  }
}

function guarded(dialect: Dialect): Dialect {
  return {
    createAdapter: () => dialect.createAdapter(),
    createDriver: () => new GuardedDriver(dialect.createDriver()),
    createIntrospector: (db) => dialect.createIntrospector(db),
    createQueryCompiler: () => dialect.createQueryCompiler(),
  };
}

export function openDatabase(target: DatabaseTarget): Database {
  let reader: SqliteReader | undefined;
  let dialect;
  if (target.dialect === 'sqlite') {
    ({ dialect, reader } = createSqliteDialect(target.file, target));
  } else {
    dialect = createPostgresDialect(target.url, target.poolSize);
  }
  const kysely = new Kysely<Tables>({ dialect: guarded(dialect) });
  if (reader) {
    const direct = reader;
    // The read connection is the outer handle too: refused inside a transaction like any other query through it.
    attachDirectReader(kysely, {
      all<T>(source: string, params: readonly unknown[]): T[] {
        if (insideTransaction.getStore()) throw misuse('a query through the outer database handle');
        return direct.all<T>(source, params);
      },
    });
  }
  let closed = false;
  const commitListeners: (() => void)[] = [];
  return {
    kysely,
    dialect: target.dialect,
    async transaction<T>(fn: (tx: TxContext) => Promise<T>): Promise<T> {
      if (insideTransaction.getStore()) throw misuse('a nested transaction');
      for (let attempt = 1; ; attempt++) {
        const hooks: (() => void | Promise<void>)[] = [];
        try {
          const result = await kysely
            .transaction()
            .execute((trx) => insideTransaction.run(true, () => fn({ db: trx, onCommit: (h) => hooks.push(h) })));
          for (const listener of commitListeners) listener();
          for (const hook of hooks) {
            try {
              await hook();
            } catch {
              // A failing side effect must not undo a committed change; the
              // outbox (delivered by jobs) is where retries belong.
            }
          }
          return result;
        } catch (err) {
          if (attempt < MAX_ATTEMPTS && isRetryablePostgresError(err)) continue;
          throw err;
        }
      }
    },
    onAnyCommit(listener) {
      commitListeners.push(listener);
    },
    async ping() {
      await kysely.selectFrom('audit_head').select('seq').limit(1).execute();
    },
    async close() {
      if (closed) return;
      closed = true;
      reader?.close();
      await kysely.destroy();
    },
  };
}
