import { sql } from 'kysely';
import { jsonColumn } from '../codec.js';
import type { Db, Trx } from '../database.js';
import { ReadStatement } from '../read.js';
import type { TestAttemptTable, WorkItemTable } from '../schema.js';
import { testAttemptPackages } from './lifecycle.js';

/** `work_items.elements`: the elements (type and name) the item changes. */
export const workItemElements = jsonColumn<{ type: string; name: string }[]>();

export async function insertWorkItem(db: Trx, row: WorkItemTable): Promise<void> {
  await db.insertInto('work_items').values(row).execute();
}

/** The item with this key (`IR-12`: kind IR, number 12 within its kind). */
export async function workItemByKey(db: Db | Trx, applicationId: string, kind: string, number: number): Promise<WorkItemTable | undefined> {
  return db
    .selectFrom('work_items')
    .selectAll()
    .where('application_id', '=', applicationId)
    .where('kind', '=', kind)
    .where('kind_number', '=', number)
    .executeTakeFirst();
}

/** Every item whose key has this number, whatever its kind (for a key given without its kind). */
export async function workItemsByKindNumber(db: Db | Trx, applicationId: string, number: number): Promise<WorkItemTable[]> {
  return db
    .selectFrom('work_items')
    .selectAll()
    .where('application_id', '=', applicationId)
    .where('kind_number', '=', number)
    .orderBy('number')
    .execute();
}

export type ItemTestRecord = Omit<TestAttemptTable, 'packages'> & { release_name: string; packages: Record<string, number> };

/** Every test attempt of an item, in any release, oldest first; `packages` decoded. */
export async function testAttemptsOfItem(db: Db | Trx, itemId: string): Promise<ItemTestRecord[]> {
  const rows = await db
    .selectFrom('test_attempts')
    .innerJoin('releases', 'releases.id', 'test_attempts.release_id')
    .selectAll('test_attempts')
    .select('releases.name as release_name')
    .where('test_attempts.item_id', '=', itemId)
    .orderBy('test_attempts.recorded_at')
    .orderBy('test_attempts.id')
    .execute();
  return rows.map((r) => ({ ...r, packages: testAttemptPackages.decode(r.packages) }));
}

// Hot read path (every GET of a release), written as a raw portable statement like releaseByName.
const ITEMS_OF_RELEASE = new ReadStatement<WorkItemTable>('select * from work_items where release_id = ? order by number');

export async function workItemsOfRelease(db: Db | Trx, releaseId: string): Promise<WorkItemTable[]> {
  return ITEMS_OF_RELEASE.all(db, [releaseId]);
}

export type WorkItemFilter = {
  applicationId: string;
  kinds?: string[] | undefined;
  /** A release id, or null for items in no release. */
  releaseId?: string | null | undefined;
  owner?: string | undefined;
  priority?: string | undefined;
  text?: string | undefined;
  limit: number;
  offset: number;
};

export async function listWorkItems(db: Db, f: WorkItemFilter): Promise<{ rows: WorkItemTable[]; total: number }> {
  let q = db.selectFrom('work_items').where('application_id', '=', f.applicationId);
  if (f.kinds?.length) q = q.where('kind', 'in', f.kinds);
  if (f.releaseId === null) q = q.where('release_id', 'is', null);
  else if (f.releaseId !== undefined) q = q.where('release_id', '=', f.releaseId);
  if (f.owner !== undefined) q = q.where('owner', '=', f.owner);
  if (f.priority !== undefined) q = q.where('priority', '=', f.priority);
  if (f.text !== undefined) {
    const like = `%${f.text.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    // ESCAPE is spelled out because SQLite has no default escape character.
    q = q.where(
      sql<boolean>`(lower(title) like ${like} escape '\\' or lower(helpdesk_ref) like ${like} escape '\\' or lower(kind || '-' || cast(kind_number as text)) like ${like} escape '\\')`,
    );
  }
  const [rows, count] = await Promise.all([
    q.selectAll().orderBy('number').limit(f.limit).offset(f.offset).execute(),
    q.select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow(),
  ]);
  return { rows, total: Number(count.n) };
}

export async function updateWorkItemVersioned(
  db: Trx,
  id: string,
  expectedVersion: number,
  patch: Partial<Omit<WorkItemTable, 'id' | 'row_version'>>,
): Promise<boolean> {
  const res = await db
    .updateTable('work_items')
    .set({ ...patch, row_version: expectedVersion + 1 })
    .where('id', '=', id)
    .where('row_version', '=', expectedVersion)
    .executeTakeFirst();
  return Number(res.numUpdatedRows) === 1;
}
