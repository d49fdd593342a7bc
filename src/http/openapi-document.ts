import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { openDatabase } from '../db/database.js';
import { createDeps } from '../runtime.js';
import { buildApp } from './app.js';

/**
 * relman's OpenAPI document, as `GET /api/v1/openapi.json` serves it, without a
 * running server: the routes' zod schemas are the whole source. The database is
 * a throwaway file no route is asked to read.
 */
export async function openApiDocument(): Promise<unknown> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'relman-openapi-'));
  const database = openDatabase({ dialect: 'sqlite', file: path.join(dir, 'relman.db') });
  try {
    const app = await buildApp({ deps: createDeps(database), logLevel: 'silent', webDir: false });
    await app.ready();
    const doc = app.swagger();
    await app.close();
    return doc;
  } finally {
    await database.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
