import { jsonColumn } from '../codec.js';
import type { Db, Trx } from '../database.js';
import { ReadStatement } from '../read.js';
import type { ApplicationTable } from '../schema.js';

/** `applications.naming_params`: the values of the template's naming parameters for this application. */
export const applicationNamingParams = jsonColumn<Record<string, string>>();

export async function insertApplication(db: Trx, row: ApplicationTable): Promise<void> {
  await db.insertInto('applications').values(row).execute();
}

// Every read of a release or item resolves its application first (src/db/read.ts).
const ALL_APPLICATIONS = new ReadStatement<ApplicationTable>('select * from applications order by "key"');
const APPLICATION_BY_KEY = new ReadStatement<ApplicationTable>('select * from applications where "key" = ?');

export async function listApplications(db: Db | Trx): Promise<ApplicationTable[]> {
  return ALL_APPLICATIONS.all(db, []);
}

export async function applicationByKey(db: Db | Trx, key: string): Promise<ApplicationTable | undefined> {
  return APPLICATION_BY_KEY.first(db, [key]);
}

export async function applicationById(db: Db | Trx, id: string): Promise<ApplicationTable | undefined> {
  return db.selectFrom('applications').selectAll().where('id', '=', id).executeTakeFirst();
}

export async function updateApplication(db: Trx, id: string, patch: Partial<Omit<ApplicationTable, 'id'>>): Promise<void> {
  await db.updateTable('applications').set(patch).where('id', '=', id).execute();
}

/** No application is the default any more (before another becomes it). */
export async function clearDefaultApplication(db: Trx): Promise<void> {
  await db.updateTable('applications').set({ is_default: 0 }).where('is_default', '=', 1).execute();
}
