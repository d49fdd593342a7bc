import { Kysely, type Transaction } from 'kysely';
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

export function openDatabase(target: DatabaseTarget): Database {
  let reader: SqliteReader | undefined;
  let dialect;
  if (target.dialect === 'sqlite') {
    ({ dialect, reader } = createSqliteDialect(target.file, target));
  } else {
    dialect = createPostgresDialect(target.url, target.poolSize);
  }
  const kysely = new Kysely<Tables>({ dialect });
  if (reader) attachDirectReader(kysely, reader);
  let closed = false;
  const commitListeners: (() => void)[] = [];
  return {
    kysely,
    dialect: target.dialect,
    async transaction<T>(fn: (tx: TxContext) => Promise<T>): Promise<T> {
      for (let attempt = 1; ; attempt++) {
        const hooks: (() => void | Promise<void>)[] = [];
        try {
          const result = await kysely.transaction().execute((trx) => fn({ db: trx, onCommit: (h) => hooks.push(h) }));
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
