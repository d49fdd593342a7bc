import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { openDatabase, type Database, type DatabaseTarget } from '../../src/db/database.js';

export type DialectCase = { name: 'sqlite' | 'postgres' };

/** SQLite always; PostgreSQL whenever RELMAN_TEST_PG_URL is set (CI always sets it). */
export const dialects: DialectCase[] = [{ name: 'sqlite' }, ...(process.env.RELMAN_TEST_PG_URL ? [{ name: 'postgres' as const }] : [])];

export type ScratchDatabase = { target: DatabaseTarget; url: string | undefined; dataDir: string; drop(): Promise<void> };

function pgUrlFor(base: string, dbName: string): string {
  const u = new URL(base);
  u.pathname = `/${dbName}`;
  return u.toString();
}

/** A fresh, empty database of the given dialect: a temp SQLite file or a new PostgreSQL database. */
export async function scratchDatabase(dialect: DialectCase['name']): Promise<ScratchDatabase> {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'relman-test-'));
  if (dialect === 'sqlite') {
    return {
      target: { dialect: 'sqlite', file: path.join(dataDir, 'relman.db') },
      url: undefined,
      dataDir,
      drop: () => Promise.resolve(rmSync(dataDir, { recursive: true, force: true })),
    };
  }
  const base = process.env.RELMAN_TEST_PG_URL;
  if (!base) throw new Error('RELMAN_TEST_PG_URL is not set');
  const dbName = `relman_t_${process.pid}_${Date.now().toString(36)}_${Math.random().toString(36).slice(2, 8)}`;
  const admin = new pg.Client({ connectionString: base });
  await admin.connect();
  await admin.query(`create database ${dbName}`);
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
