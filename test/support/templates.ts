/**
 * The bootstrapped database every harness starts from, built once per test run
 * (test/support/global-setup.ts) and copied for each harness: the SQLite file
 * is copied, the PostgreSQL database is created with `TEMPLATE`.
 *
 * Bootstrap reads the clock while it writes (publication, creation and audit
 * times). The template is built with a clock whose readings are markers; a copy
 * replaces the markers with readings of its own harness's clock, taken in the
 * same order, and re-links the audit chain. A copy is thereby the database that
 * bootstrap would have written with that clock, and the clock has moved by as
 * many readings as bootstrap would have taken.
 */
import { sql, type Kysely } from 'kysely';
import { AUDIT_GENESIS_HASH } from '../../src/db/migrations/0001-initial.js';
import type { Tables } from '../../src/db/schema.js';
import { auditHash } from '../../src/services/audit.js';
import type { Clock } from '../../src/services/clock.js';

export type BootstrappedTemplate = {
  /** The clock readings bootstrap took, as written into the template (ISO strings). */
  markers: string[];
  /** Text columns holding a marker somewhere, as `[table, column]`. */
  stamped: [string, string][];
};

export type TestTemplates = {
  runId: string;
  sqlite: BootstrappedTemplate & { file: string };
  postgres: (BootstrappedTemplate & { database: string }) | null;
};

declare module 'vitest' {
  export interface ProvidedContext {
    relmanTemplates: TestTemplates;
  }
}

const MARKER_DAY = '1901-01-01T';
const MARKER_BASE = Date.parse(`${MARKER_DAY}00:00:00.000Z`);

/** A clock whose n-th reading is the marker of n; `readings` counts them. */
export function markerClock(): { clock: Clock; readings(): string[] } {
  const taken: string[] = [];
  return {
    clock: () => {
      const d = new Date(MARKER_BASE + (taken.length + 1) * 1000);
      taken.push(d.toISOString());
      return d;
    },
    readings: () => [...taken],
  };
}

/** Which text columns of the freshly bootstrapped template hold markers; fails on a clock reading it cannot place. */
export async function findStamped(db: Kysely<Tables>, markers: string[]): Promise<[string, string][]> {
  const stamped: [string, string][] = [];
  for (const table of await db.introspection.getTables()) {
    for (const column of table.columns) {
      const rows = await sql<{ v: unknown }>`select ${sql.ref(column.name)} as v from ${sql.table(table.name)}`.execute(db);
      let found = false;
      for (const { v } of rows.rows) {
        if (typeof v !== 'string' || !v.includes('1901-')) continue;
        const rest = markers.reduce((s, m) => s.split(m).join(''), v);
        if (rest.includes('1901-'))
          throw new Error(`${table.name}.${column.name} holds a clock reading the test template cannot restamp: ${v}`);
        found = true;
      }
      if (found) stamped.push([table.name, column.name]);
    }
  }
  return stamped;
}

/** Turns a copy of the template into the database bootstrap would have written with `clock`. */
export async function restamp(db: Kysely<Tables>, template: BootstrappedTemplate, clock: Clock): Promise<void> {
  const readings = template.markers.map(() => clock().toISOString());
  await db.transaction().execute(async (trx) => {
    for (const [table, column] of template.stamped) {
      let value = sql<string>`${sql.ref(column)}`;
      template.markers.forEach((m, i) => {
        value = sql<string>`replace(${value}, ${m}, ${readings[i]})`;
      });
      await sql`update ${sql.table(table)} set ${sql.ref(column)} = ${value} where ${sql.ref(column)} like ${`%${MARKER_DAY}%`}`.execute(
        trx,
      );
    }
    // The audit chain hashes each event's time: link it again.
    let prev = AUDIT_GENESIS_HASH;
    const events = await trx.selectFrom('audit_events').selectAll().orderBy('seq').execute();
    for (const e of events) {
      const { hash: _old, ...rest } = e;
      const hash = auditHash({ ...rest, prev_hash: prev });
      await trx.updateTable('audit_events').set({ prev_hash: prev, hash }).where('seq', '=', e.seq).execute();
      prev = hash;
    }
    if (events.length > 0) await trx.updateTable('audit_head').set({ hash: prev }).where('id', '=', 1).execute();
  });
}
