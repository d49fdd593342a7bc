import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { inject } from 'vitest';
import { openDatabase, type Database, type DatabaseTarget } from '../../src/db/database.js';
import type { TestTemplates } from './templates.js';

export type DialectCase = { name: 'sqlite' | 'postgres' };

/** SQLite always; PostgreSQL whenever RELMAN_TEST_PG_URL is set (CI always sets it). */
export const dialects: DialectCase[] = [{ name: 'sqlite' }, ...(process.env.RELMAN_TEST_PG_URL ? [{ name: 'postgres' as const }] : [])];

/** The first administrator's password in every bootstrapped test database. */
export const ADMIN_PASSWORD = 'admin-password-for-tests';

export type ScratchDatabase = { target: DatabaseTarget; url: string | undefined; dataDir: string; drop(): Promise<void> };

export function pgUrlFor(base: string, dbName: string): string {
  const u = new URL(base);
  u.pathname = `/${dbName}`;
  return u.toString();
}

/** The run's bootstrapped templates (test/support/global-setup.ts). */
export function testTemplates(): TestTemplates {
  return inject('relmanTemplates');
}

let dbSeq = 0;

/**
 * A database of its own for a test: empty (a temp SQLite file or a new
 * PostgreSQL database), or with `bootstrapped` a copy of the run's migrated
 * and bootstrapped template (test/support/templates.ts).
 */
export async function scratchDatabase(dialect: DialectCase['name'], opts: { bootstrapped?: boolean } = {}): Promise<ScratchDatabase> {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'relman-test-'));
  if (dialect === 'sqlite') {
    const file = path.join(dataDir, 'relman.db');
    if (opts.bootstrapped) copyFileSync(testTemplates().sqlite.file, file);
    return {
      target: { dialect: 'sqlite', file },
      url: undefined,
      dataDir,
      drop: () => Promise.resolve(rmSync(dataDir, { recursive: true, force: true })),
    };
  }
  const base = process.env.RELMAN_TEST_PG_URL;
  if (!base) throw new Error('RELMAN_TEST_PG_URL is not set');
  const templates = testTemplates();
  const dbName = `relman_t_${templates.runId}_${process.pid.toString(36)}_${(++dbSeq).toString(36)}`;
  let from = '';
  if (opts.bootstrapped) {
    if (!templates.postgres) throw new Error('no PostgreSQL template was built for this run');
    from = ` template ${templates.postgres.database}`;
  }
  const admin = new pg.Client({ connectionString: base });
  await admin.connect();
  await admin.query(`create database ${dbName}${from}`);
  await admin.end();
  const url = pgUrlFor(base, dbName);
  return {
    target: { dialect: 'postgres', url },
    url,
    dataDir,
    async drop() {
      rmSync(dataDir, { recursive: true, force: true });
      const c = new pg.Client({ connectionString: base });
      await c.connect();
      await c.query(`drop database if exists ${dbName} with (force)`);
      await c.end();
    },
  };
}

export function open(s: ScratchDatabase): Database {
  return openDatabase(s.target);
}
