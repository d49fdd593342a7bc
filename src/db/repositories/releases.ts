import { sql } from 'kysely';
import { jsonColumn } from '../codec.js';
import type { Db, Trx } from '../database.js';
import { ReadStatement } from '../read.js';
import type { ReleaseTable } from '../schema.js';

/** `releases.channels`: the channels a release carries, in the order given. */
export const releaseChannels = jsonColumn<string[]>();

export async function insertRelease(db: Trx, row: ReleaseTable): Promise<void> {
  await db.insertInto('releases').values(row).execute();
}

// Hot read path (every GET of a release): a raw portable statement skips the
// query builder's per-call AST construction and compilation (src/db/read.ts).
const RELEASE_BY_NAME = new ReadStatement<ReleaseTable>('select * from releases where application_id = ? and name = ?');

export async function releaseByName(db: Db | Trx, applicationId: string, name: string): Promise<ReleaseTable | undefined> {
  return RELEASE_BY_NAME.first(db, [applicationId, name]);
}

/**
 * Releases whose name equals `name` ignoring case (ASCII: names hold only
 * A-Z, a-z, 0-9, `_` and `-`), at most two: the caller tells one from many.
 * Only asked after the exact name found nothing, so the hot path keeps its index.
 */
export async function releasesByNameIgnoringCase(db: Db | Trx, applicationId: string, name: string): Promise<ReleaseTable[]> {
  const res =
    await sql<ReleaseTable>`select * from releases where application_id = ${applicationId} and upper(name) = ${name.toUpperCase()} order by sequence limit 2`.execute(
      db,
    );
  return res.rows;
}

export async function releaseById(db: Db | Trx, id: string): Promise<ReleaseTable | undefined> {
  return db.selectFrom('releases').selectAll().where('id', '=', id).executeTakeFirst();
}

export type ReleaseFilter = {
  applicationId: string;
  states?: string[] | undefined;
  types?: string[] | undefined;
  from?: string | undefined;
  to?: string | undefined;
  /** Releases carrying any of these channels. */
  channels?: string[] | undefined;
  /** Case-insensitive part of the release's name or of the help-desk reference of a work item on it. */
  text?: string | undefined;
  limit: number;
  offset: number;
};

/** A LIKE pattern matching `s` anywhere; used with ESCAPE '\\' (SQLite has no default escape character). */
const containing = (s: string): string => `%${s.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

export async function listReleases(db: Db, f: ReleaseFilter): Promise<{ rows: ReleaseTable[]; total: number }> {
  let q = db.selectFrom('releases').where('application_id', '=', f.applicationId);
  if (f.states?.length) q = q.where('state', 'in', f.states);
  if (f.types?.length) q = q.where('type', 'in', f.types);
  if (f.from !== undefined) q = q.where('planned_date', '>=', f.from);
  if (f.to !== undefined) q = q.where('planned_date', '<=', f.to);
  if (f.channels?.length) {
    // `channels` is a JSON array of identifiers: each is stored as "id", quotes included.
    const patterns = f.channels.map((c) => containing(JSON.stringify(c)));
    q = q.where(
      sql<boolean>`(${sql.join(
        patterns.map((p) => sql`channels like ${p} escape '\\'`),
        sql` or `,
      )})`,
    );
  }
  if (f.text !== undefined && f.text !== '') {
    const like = containing(f.text.toLowerCase());
    q = q.where(
      sql<boolean>`(lower(releases.name) like ${like} escape '\\' or exists (select 1 from work_items wi where wi.release_id = releases.id and lower(wi.helpdesk_ref) like ${like} escape '\\'))`,
    );
  }
  const [rows, count] = await Promise.all([
    q.selectAll().orderBy('sequence').limit(f.limit).offset(f.offset).execute(),
    q.select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow(),
  ]);
  return { rows, total: Number(count.n) };
}

/** Writes only if nobody else wrote since `expectedVersion`; returns whether it did. */
export async function updateReleaseVersioned(
  db: Trx,
  id: string,
  expectedVersion: number,
  patch: Partial<Omit<ReleaseTable, 'id' | 'row_version'>>,
): Promise<boolean> {
  const res = await db
    .updateTable('releases')
    .set({ ...patch, row_version: expectedVersion + 1 })
    .where('id', '=', id)
    .where('row_version', '=', expectedVersion)
    .executeTakeFirst();
  return Number(res.numUpdatedRows) === 1;
}

/** A change that is not a column of the release (its item set) still moves its version, so holders of the old one notice. */
export async function bumpReleaseVersion(db: Trx, id: string, at: string): Promise<void> {
  await db
    .updateTable('releases')
    .set((eb) => ({ row_version: eb('row_version', '+', 1), updated_at: at }))
    .where('id', '=', id)
    .execute();
}

/** An application's releases whose state is none of `states` (those still going on), by sequence. */
export async function releasesNotInStates(db: Db | Trx, applicationId: string, states: readonly string[]): Promise<ReleaseTable[]> {
  let q = db.selectFrom('releases').selectAll().where('application_id', '=', applicationId);
  if (states.length > 0) q = q.where('state', 'not in', [...states]);
  return q.orderBy('sequence').execute();
}

/** The names of the latest `limit` releases a person created in an application, newest first. */
export async function releaseNamesCreatedBy(db: Db | Trx, applicationId: string, username: string, limit: number): Promise<string[]> {
  const rows = await db
    .selectFrom('releases')
    .select('name')
    .where('application_id', '=', applicationId)
    .where('created_by', '=', username)
    .orderBy('sequence', 'desc')
    .limit(limit)
    .execute();
  return rows.map((r) => r.name);
}
