import { sql } from 'kysely';
import type { Db, Trx } from './database.js';

/** Runs a read statement synchronously on a connection of its own (SQLite: src/db/dialect/sqlite.ts, SqliteReader). */
export interface DirectReader {
  all<T>(source: string, params: readonly unknown[]): T[];
}

const readers = new WeakMap<object, DirectReader>();

/** Reads through `db` (the database itself, never a transaction) may use `reader`. */
export function attachDirectReader(db: Db, reader: DirectReader): void {
  readers.set(db, reader);
}

/**
 * A hot read statement, written once as portable SQL with `?` placeholders.
 * Through the database itself on SQLite it runs on the read connection,
 * prepared once, without the query builder or the write connection's queue;
 * inside a transaction (or on PostgreSQL, or with the read connection off)
 * it runs through Kysely like any other query, so a transaction still reads
 * its own writes. See docs/fast-paths.md ("SQLite read connection").
 */
export class ReadStatement<T> {
  readonly #strings: TemplateStringsArray;

  constructor(readonly source: string) {
    const parts = source.split('?');
    this.#strings = Object.assign([...parts], { raw: [...parts] });
  }

  async all(db: Db | Trx, params: readonly unknown[]): Promise<T[]> {
    const reader = readers.get(db);
    if (reader) return reader.all<T>(this.source, params);
    return (await sql<T>(this.#strings, ...params).execute(db)).rows;
  }

  async first(db: Db | Trx, params: readonly unknown[]): Promise<T | undefined> {
    return (await this.all(db, params))[0];
  }
}
