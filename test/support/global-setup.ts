/**
 * Runs once per `vitest run`: migrates and bootstraps one SQLite file and (when
 * RELMAN_TEST_PG_URL is set) one PostgreSQL database, which every harness then
 * copies (test/support/templates.ts). Removes them when the run ends.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import type { TestProject } from 'vitest/node';
import { DEFAULT_TEMPLATE_FILE } from '../../src/config/settings.js';
import { openDatabase, type DatabaseTarget } from '../../src/db/database.js';
import { createDeps } from '../../src/runtime.js';
import { bootstrap } from '../../src/services/bootstrap.js';
import { useCheapPasswordHashesInTests } from '../../src/services/passwords.js';
import { ADMIN_PASSWORD, pgUrlFor } from './databases.js';
import { findStamped, markerClock, type BootstrappedTemplate, type TestTemplates } from './templates.js';

async function build(target: DatabaseTarget): Promise<BootstrappedTemplate> {
  const marker = markerClock();
  const deps = createDeps(openDatabase(target), marker.clock);
  try {
    await bootstrap(deps, { templateFile: DEFAULT_TEMPLATE_FILE, adminPassword: ADMIN_PASSWORD });
    const markers = marker.readings();
    return { markers, stamped: await findStamped(deps.database.kysely, markers) };
  } finally {
    await deps.database.close();
  }
}

async function onServer(base: string, statement: string): Promise<void> {
  const c = new pg.Client({ connectionString: base });
  await c.connect();
  try {
    await c.query(statement);
  } finally {
    await c.end();
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  useCheapPasswordHashesInTests();
  const runId = `${process.pid.toString(36)}${Date.now().toString(36)}`;
  const dir = mkdtempSync(path.join(os.tmpdir(), 'relman-template-'));
  const file = path.join(dir, 'relman.db');
  const sqlite = { ...(await build({ dialect: 'sqlite', file })), file };
  for (const leftover of [`${file}-wal`, `${file}-shm`]) {
    if (existsSync(leftover)) throw new Error(`the SQLite template was not checkpointed: ${leftover} exists`);
  }

  const base = process.env.RELMAN_TEST_PG_URL;
  let postgres: TestTemplates['postgres'] = null;
  const database = `relman_tpl_${runId}`;
  if (base) {
    await onServer(base, `create database ${database}`);
    postgres = { ...(await build({ dialect: 'postgres', url: pgUrlFor(base, database) })), database };
  }
  // Workers name their PostgreSQL databases after the run, so that teardown finds any left behind.
  project.provide('relmanTemplates', { runId, sqlite, postgres });

  return async () => {
    rmSync(dir, { recursive: true, force: true });
    if (!base) return;
    const c = new pg.Client({ connectionString: base });
    await c.connect();
    try {
      const left = await c.query<{ datname: string }>(`select datname from pg_database where datname like $1`, [`relman_t_${runId}_%`]);
      for (const { datname } of left.rows) await c.query(`drop database if exists ${datname} with (force)`);
      await c.query(`drop database if exists ${database} with (force)`);
    } finally {
      await c.end();
    }
  };
}
