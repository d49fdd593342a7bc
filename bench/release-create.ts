import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { DialectName } from '../src/db/database.js';
import { SYSTEM_ACTOR } from '../src/services/actor.js';
import { createApplication } from '../src/services/applications.js';
import { createRelease } from '../src/services/releases.js';
import { benchDatabase, fmt, pgBaseUrl, pooled, printTable, timed, type BenchDatabase } from './common.js';

const CONCURRENCY = 8;
const WARMUP = 20;

function releaseCount(): number {
  const v = Number(process.env.BENCH_RELEASES);
  // The default naming pattern has three sequence digits: at most 999 releases per application.
  return Number.isInteger(v) && v > 0 ? Math.min(v, 999) : 500;
}

/** A fresh application per run, so each starts at sequence 1 and stays within the name pattern. */
async function newApp(db: BenchDatabase, key: string, system: string): Promise<void> {
  await createApplication(db.deps, SYSTEM_ACTOR, { key, name: key, templateKey: 'cms-net', namingParameters: { system } });
}

async function createReleases(db: BenchDatabase, app: string, count: number, concurrency: number): Promise<number> {
  return timed(() =>
    pooled(count, concurrency, (i) =>
      createRelease(db.deps, SYSTEM_ACTOR, {
        app,
        type: 'scheduled',
        plannedDate: '2026-12-05',
        channels: ['database', 'web'],
        title: `Bench release ${i}`,
        description: 'Created by the release-creation benchmark.',
      }),
    ),
  );
}

/** The baseline: one plain INSERT per row into a scratch table of the same shape, through Kysely. */
async function plainInserts(db: BenchDatabase, table: string, count: number, concurrency: number): Promise<number> {
  const k = db.deps.database.kysely as unknown as Kysely<Record<string, Record<string, string | number>>>;
  await k.schema
    .createTable(table)
    .addColumn('id', 'varchar(36)', (c) => c.primaryKey())
    .addColumn('name', 'varchar(64)', (c) => c.notNull())
    .addColumn('sequence', 'integer', (c) => c.notNull())
    .addColumn('channels', 'text', (c) => c.notNull())
    .addColumn('title', 'text', (c) => c.notNull())
    .addColumn('description', 'text', (c) => c.notNull())
    .addColumn('created_at', 'varchar(32)', (c) => c.notNull())
    .execute();
  return timed(() =>
    pooled(count, concurrency, (i) =>
      k
        .insertInto(table)
        .values({
          id: randomUUID(),
          name: `CFIS${String(i + 1).padStart(3, '0')}`,
          sequence: i + 1,
          channels: '["database","web"]',
          title: `Bench release ${i}`,
          description: 'Created by the release-creation benchmark.',
          created_at: new Date().toISOString(),
        })
        .execute(),
    ),
  );
}

type Row = { dialect: DialectName; mode: string; relmanPerSec: number; baselinePerSec: number };

async function benchDialect(dialect: DialectName, count: number): Promise<Row[]> {
  const db = await benchDatabase(dialect);
  try {
    await newApp(db, 'bench-warm', 'W');
    await createReleases(db, 'bench-warm', WARMUP, 1);
    const rows: Row[] = [];
    for (const [mode, concurrency, app, system] of [
      ['sequential', 1, 'bench-seq', 'S'],
      [`concurrency ${CONCURRENCY}`, CONCURRENCY, 'bench-par', 'P'],
    ] as const) {
      await newApp(db, app, system);
      const ms = await createReleases(db, app, count, concurrency);
      const names = await db.deps.database.kysely
        .selectFrom('releases')
        .innerJoin('applications', 'applications.id', 'releases.application_id')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .where('applications.key', '=', app)
        .executeTakeFirstOrThrow();
      if (Number(names.n) !== count) throw new Error(`${dialect} ${mode}: expected ${count} releases, found ${names.n}`);
      const baseMs = await plainInserts(db, `bench_scratch_${concurrency}`, count, concurrency);
      rows.push({ dialect, mode, relmanPerSec: (count / ms) * 1000, baselinePerSec: (count / baseMs) * 1000 });
    }
    return rows;
  } finally {
    await db.close();
  }
}

/** createRelease through the service layer, against plain inserts on the same database. */
export async function benchReleaseCreate(): Promise<void> {
  const count = releaseCount();
  const dialects: DialectName[] = ['sqlite', ...(pgBaseUrl() ? (['postgres'] as const) : [])];
  const rows: Row[] = [];
  for (const d of dialects) rows.push(...(await benchDialect(d, count)));
  process.stdout.write(
    `\nService layer: createRelease × ${count} per mode (after ${WARMUP} warm-up), each in its own transaction with its audit event\n` +
      'baseline: the same number of single-row INSERTs (autocommit) into a scratch table through Kysely, same database\n' +
      `${pgBaseUrl() ? '' : 'PostgreSQL skipped: set BENCH_PG_URL or RELMAN_TEST_PG_URL\n'}\n`,
  );
  printTable(
    ['dialect', 'mode', 'releases/s', 'plain inserts/s', 'relman/plain'],
    rows.map((r) => [r.dialect, r.mode, fmt(r.relmanPerSec), fmt(r.baselinePerSec), `${(r.relmanPerSec / r.baselinePerSec).toFixed(2)}×`]),
  );
}
