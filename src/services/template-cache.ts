import type { Db, Trx } from '../db/database.js';
import { templateVersionById } from '../db/repositories/templates.js';
import type { TemplateVersionTable } from '../db/schema.js';
import type { ProcessTemplate } from '../domain/template/schema.js';
import { readStoredTemplate } from '../domain/template/stored.js';

export type TemplateRef = { key: string; version: number };

/**
 * Template versions are immutable once published, so a parsed version can be
 * kept for the life of the process without ever being invalidated.
 */
export class TemplateCache {
  readonly #byId = new Map<string, ProcessTemplate>();
  readonly #refs = new Map<string, TemplateRef>();

  fromRow(row: TemplateVersionTable): ProcessTemplate {
    let t = this.#byId.get(row.id);
    if (!t) {
      t = readStoredTemplate(row.content_json);
      this.#byId.set(row.id, t);
      this.#refs.set(row.id, { key: row.template_key, version: row.version });
    }
    return t;
  }

  /** Key and version number of a template version, for views. */
  async ref(db: Db | Trx, id: string): Promise<TemplateRef> {
    const cached = this.#refs.get(id);
    if (cached) return cached;
    await this.byId(db, id);
    return this.#refs.get(id) as TemplateRef;
  }

  async byId(db: Db | Trx, id: string): Promise<ProcessTemplate> {
    const cached = this.#byId.get(id);
    if (cached) return cached;
    const row = await templateVersionById(db, id);
    if (!row) throw new Error(`template version ${id} is missing`);
    return this.fromRow(row);
  }
}
