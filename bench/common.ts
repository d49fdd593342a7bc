import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { DEFAULT_TEMPLATE_FILE } from '../src/config/settings.js';
import { openDatabase, type DatabaseTarget, type DialectName } from '../src/db/database.js';
import { createDeps } from '../src/runtime.js';
import { bootstrap } from '../src/services/bootstrap.js';
import type { ServiceDeps } from '../src/services/deps.js';

export const ADMIN_PASSWORD = 'bench-admin-password';

/** PostgreSQL server for benchmarks, when one is configured. */
export function pgBaseUrl(): string | undefined {
  return process.env.BENCH_PG_URL || process.env.RELMAN_TEST_PG_URL || undefined;
}

export function benchDuration(fallback = 10): number {
  const v = Number(process.env.BENCH_DURATION);
  return Number.isFinite(v) && v > 0 ? v : fallback;
}

export type BenchDatabase = { deps: ServiceDeps; dialect: DialectName; target: DatabaseTarget; close(): Promise<void> };

async function adminQuery(base: string, sql: string): Promise<void> {
  const c = new pg.Client({ connectionString: base });
  await c.connect();
  try {
    await c.query(sql);
  } finally {
    await c.end();
  }
}

/** A bootstrapped relman database (template, default application, admin) in a temp SQLite file or a new PostgreSQL database. */
export async function benchDatabase(dialect: DialectName): Promise<BenchDatabase> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'relman-bench-'));
  let target: DatabaseTarget;
  let dropDb = async () => undefined as void;
  if (dialect === 'sqlite') {
    target = { dialect: 'sqlite', file: path.join(dir, 'relman.db') };
  } else {
    const base = pgBaseUrl();
    if (!base) throw new Error('no PostgreSQL configured (BENCH_PG_URL or RELMAN_TEST_PG_URL)');
    const name = `relman_bench_${process.pid}_${Date.now().toString(36)}`;
    await adminQuery(base, `create database ${name}`);
    const u = new URL(base);
    u.pathname = `/${name}`;
    target = { dialect: 'postgres', url: u.toString() };
    dropDb = () => adminQuery(base, `drop database if exists ${name} with (force)`);
  }
  const deps = createDeps(openDatabase(target));
  await bootstrap(deps, { templateFile: DEFAULT_TEMPLATE_FILE, adminPassword: ADMIN_PASSWORD });
  return {
    deps,
    dialect,
    target,
    async close() {
      await deps.database.close();
      await dropDb();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Runs `count` tasks, at most `concurrency` at a time. */
export async function pooled(count: number, concurrency: number, task: (i: number) => Promise<unknown>): Promise<void> {
  let next = 0;
  const lane = async () => {
    while (next < count) await task(next++);
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, lane));
}

/** Milliseconds taken by fn, measured with performance.now(). */
export async function timed(fn: () => Promise<unknown>): Promise<number> {
  const t0 = performance.now();
  await fn();
  return performance.now() - t0;
}

export function fmt(n: number, digits = 0): string {
  return n.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

/** A compact, aligned plain-text table; numbers are right-aligned. */
export function printTable(headers: string[], rows: string[][]): void {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const numeric = headers.map((_h, i) => rows.every((r) => /^[-\d.,×x%]+$/.test(r[i] ?? '')));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (numeric[i] ? c.padStart(widths[i] ?? 0) : c.padEnd(widths[i] ?? 0)))
      .join('  ')
      .trimEnd();
  process.stdout.write(`${line(headers)}\n${widths.map((w) => '-'.repeat(w)).join('  ')}\n`);
  for (const r of rows) process.stdout.write(`${line(r)}\n`);
}
