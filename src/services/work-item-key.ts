import type { Db, Trx } from '../db/database.js';
import { workItemByKey, workItemsByKindNumber } from '../db/repositories/work-items.js';
import type { WorkItemTable } from '../db/schema.js';
import { NotFoundError, ValidationError } from '../domain/errors.js';
import { parseItemKey } from '../domain/work-item-rules.js';
import { keyOfItem } from './work-item-view.js';

/**
 * Which work item a use case is about: its key (`IR-12`, any case, or just
 * `12`) within an application (the default one when `app` is absent).
 */
export type ItemRef = { readonly app?: string | undefined; readonly key: string };

/**
 * The item a key names: `IR-12` (any case), or just `12` when only one item
 * has that number. Keys given before items were numbered per kind are the
 * same keys: those items kept their numbers.
 */
export async function itemByKey(db: Db | Trx, applicationId: string, key: string, path = 'item'): Promise<WorkItemTable> {
  const parsed = parseItemKey(key);
  if (!parsed) throw new ValidationError('not a work item key', [{ path, message: `"${key}" is not a work item key such as IR-12` }]);
  if (parsed.kind !== null) {
    const row = await workItemByKey(db, applicationId, parsed.kind, parsed.number);
    if (!row) throw new NotFoundError('work item', key);
    return row;
  }
  const rows = await workItemsByKindNumber(db, applicationId, parsed.number);
  const [only] = rows;
  if (!only) throw new NotFoundError('work item', key);
  if (rows.length > 1) {
    throw new ValidationError('the work item key needs its kind', [
      { path, message: `"${key}" is the number of ${rows.map(keyOfItem).join(', ')}; give the kind, e.g. ${keyOfItem(only)}` },
    ]);
  }
  return only;
}
