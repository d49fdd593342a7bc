import type { Trx } from '../../db/database.js';
import type { ReleaseTable } from '../../db/schema.js';
import type { ProcessTemplate } from '../../domain/template/schema.js';
import type { ServiceDeps } from '../deps.js';

/**
 * Makes a release's checklist match its template version and dates: creates
 * the tasks it does not have yet and recomputes the due dates of open ones
 * (after a release or milestone date moved). Runs inside the caller's
 * transaction.
 */
export async function syncChecklist(_db: Trx, _deps: ServiceDeps, _template: ProcessTemplate, _release: ReleaseTable): Promise<void> {
  // generated in checklist/generate
}
