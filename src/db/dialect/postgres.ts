import pg from 'pg';
import { PostgresDialect } from 'kysely';

export function createPostgresDialect(url: string, max = 10): PostgresDialect {
  const pool = new pg.Pool({ connectionString: url, max, connectionTimeoutMillis: 10_000 });
  // An idle client losing its connection must not crash the process.
  pool.on('error', () => undefined);
  return new PostgresDialect({ pool });
}

/** Errors after which the whole transaction may simply be run again. */
export function isRetryablePostgresError(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return code === '40001' || code === '40P01';
}
