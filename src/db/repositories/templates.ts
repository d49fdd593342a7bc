import { jsonColumn } from '../codec.js';
import type { Db, Trx } from '../database.js';
import { ReadStatement } from '../read.js';
import type { TemplateVersionTable } from '../schema.js';
import type { ProcessTemplate } from '../../domain/template/schema.js';

/**
 * `template_versions.content_json`: the parsed template as published. It is
 * read back through the template schema (domain/template/stored.ts), so a
 * version published by an earlier relman gets the defaults of fields added since.
 */
export const templateContent = jsonColumn<ProcessTemplate>();
/** `template_versions.sections_changed`: the top-level sections this version changed. */
export const templateSectionsChanged = jsonColumn<string[]>();

export async function insertTemplateVersion(db: Trx, row: TemplateVersionTable): Promise<void> {
  await db.insertInto('template_versions').values(row).execute();
}

export async function latestTemplateVersion(db: Db | Trx, key: string): Promise<TemplateVersionTable | undefined> {
  return db
    .selectFrom('template_versions')
    .selectAll()
    .where('template_key', '=', key)
    .orderBy('version', 'desc')
    .limit(1)
    .executeTakeFirst();
}

export type TemplateVersionRef = Pick<TemplateVersionTable, 'id' | 'template_key' | 'version'>;

/** The newest version's identity only: the content is read once per process through the cache. */
const LATEST_VERSION_REF = new ReadStatement<TemplateVersionRef>(
  'select id, template_key, version from template_versions where template_key = ? order by version desc limit 1',
);

export async function latestTemplateVersionRef(db: Db | Trx, key: string): Promise<TemplateVersionRef | undefined> {
  return LATEST_VERSION_REF.first(db, [key]);
}

export async function templateVersionById(db: Db | Trx, id: string): Promise<TemplateVersionTable | undefined> {
  return db.selectFrom('template_versions').selectAll().where('id', '=', id).executeTakeFirst();
}

export async function templateVersionByNumber(db: Db | Trx, key: string, version: number): Promise<TemplateVersionTable | undefined> {
  return db.selectFrom('template_versions').selectAll().where('template_key', '=', key).where('version', '=', version).executeTakeFirst();
}

export async function listTemplateVersions(db: Db | Trx, key: string): Promise<TemplateVersionTable[]> {
  return db.selectFrom('template_versions').selectAll().where('template_key', '=', key).orderBy('version', 'desc').execute();
}

export async function listTemplateKeys(db: Db | Trx): Promise<string[]> {
  const rows = await db.selectFrom('template_versions').select('template_key').distinct().orderBy('template_key').execute();
  return rows.map((r) => r.template_key);
}

export async function countTemplateVersions(db: Db | Trx): Promise<number> {
  const row = await db
    .selectFrom('template_versions')
    .select((eb) => eb.fn.countAll().as('n'))
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

/** What each version of a template recorded as its change, oldest first. */
export async function templateChangeRecords(db: Db | Trx, key: string): Promise<{ version: number; changes: string }[]> {
  return db.selectFrom('template_versions').select(['version', 'changes']).where('template_key', '=', key).orderBy('version').execute();
}
