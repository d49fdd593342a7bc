/**
 * How a JSON text column is read and written. Each JSON column has exactly
 * one codec, declared beside its table's repository (src/db/repositories/):
 * services never call JSON.parse or JSON.stringify on a column.
 */
export interface ColumnCodec<T> {
  decode(text: string): T;
  encode(value: T): string;
}

/** A codec for a column holding JSON text of type T (written by relman itself, so read back as T). */
export function jsonColumn<T>(): ColumnCodec<T> {
  return {
    decode: (text) => JSON.parse(text) as T,
    encode: (value) => JSON.stringify(value),
  };
}

/** The same for a nullable column: SQL NULL is `null`. */
export function nullableJsonColumn<T>(): ColumnCodec<T | null> & { decode(text: string | null): T | null } {
  return {
    decode: (text: string | null) => (text === null ? null : (JSON.parse(text) as T)),
    encode: (value) => JSON.stringify(value),
  };
}
