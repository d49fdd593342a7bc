import type { Db, Trx } from '../database.js';
import type { ContactTable, DistributionGroupTable } from '../schema.js';

/** An application's contacts (resource, escalation and external lists) and distribution groups. */

export async function contactsOf(db: Db | Trx, applicationId: string, kind?: string): Promise<ContactTable[]> {
  let q = db.selectFrom('contacts').selectAll().where('application_id', '=', applicationId);
  if (kind !== undefined) q = q.where('kind', '=', kind);
  return q.orderBy('kind').orderBy('position').orderBy('person').execute();
}

export async function contactById(db: Db | Trx, applicationId: string, id: string): Promise<ContactTable | undefined> {
  return db.selectFrom('contacts').selectAll().where('id', '=', id).where('application_id', '=', applicationId).executeTakeFirst();
}

/** The highest list position of the application's contacts of a kind; 0 when there are none. */
export async function lastContactPosition(db: Db | Trx, applicationId: string, kind: string): Promise<number> {
  const row = await db
    .selectFrom('contacts')
    .select((eb) => eb.fn.max('position').as('m'))
    .where('application_id', '=', applicationId)
    .where('kind', '=', kind)
    .executeTakeFirst();
  return Number(row?.m ?? 0);
}

export async function insertContacts(db: Trx, rows: readonly ContactTable[]): Promise<void> {
  if (rows.length === 0) return;
  await db
    .insertInto('contacts')
    .values([...rows])
    .execute();
}

export async function updateContact(db: Trx, id: string, patch: Partial<Omit<ContactTable, 'id' | 'application_id' | 'created_at'>>) {
  await db.updateTable('contacts').set(patch).where('id', '=', id).execute();
}

export async function deleteContact(db: Trx, id: string): Promise<void> {
  await db.deleteFrom('contacts').where('id', '=', id).execute();
}

export async function groupsOf(db: Db | Trx, applicationId: string): Promise<DistributionGroupTable[]> {
  return db.selectFrom('distribution_groups').selectAll().where('application_id', '=', applicationId).orderBy('key').execute();
}

export async function groupByKey(db: Db | Trx, applicationId: string, key: string): Promise<DistributionGroupTable | undefined> {
  return db
    .selectFrom('distribution_groups')
    .selectAll()
    .where('application_id', '=', applicationId)
    .where('key', '=', key)
    .executeTakeFirst();
}

export async function insertGroups(db: Trx, rows: readonly DistributionGroupTable[]): Promise<void> {
  if (rows.length === 0) return;
  await db
    .insertInto('distribution_groups')
    .values([...rows])
    .execute();
}

export async function updateGroup(
  db: Trx,
  id: string,
  patch: Partial<Omit<DistributionGroupTable, 'id' | 'application_id' | 'key' | 'created_at'>>,
): Promise<void> {
  await db.updateTable('distribution_groups').set(patch).where('id', '=', id).execute();
}

export async function deleteGroup(db: Trx, id: string): Promise<void> {
  await db.deleteFrom('distribution_groups').where('id', '=', id).execute();
}

/** The addresses of the application's external contacts of a system, in list order (null for those without one). */
export async function externalContactEmails(db: Db | Trx, applicationId: string, system: string): Promise<(string | null)[]> {
  const rows = await db
    .selectFrom('contacts')
    .select('email')
    .where('application_id', '=', applicationId)
    .where('kind', '=', 'external')
    .where('system', '=', system)
    .orderBy('position')
    .execute();
  return rows.map((r) => r.email);
}

/** The addresses of the application's resource list entries for the roles, in list order (null for those without one). */
export async function resourceContactEmails(db: Db | Trx, applicationId: string, roles: readonly string[]): Promise<(string | null)[]> {
  if (roles.length === 0) return [];
  const rows = await db
    .selectFrom('contacts')
    .select('email')
    .where('application_id', '=', applicationId)
    .where('kind', '=', 'resource')
    .where('role', 'in', [...roles])
    .orderBy('position')
    .execute();
  return rows.map((r) => r.email);
}
