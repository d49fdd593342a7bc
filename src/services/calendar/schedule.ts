import type { Trx } from '../../db/database.js';
import type { ReleaseTable } from '../../db/schema.js';
import type { ProcessTemplate } from '../../domain/template/schema.js';
import type { Actor } from '../actor.js';
import type { ServiceDeps } from '../deps.js';

/** What a release's creation or update may say about its scheduling. */
export type ScheduleInput = {
  /** Book the release into the change cycle of this date (`YYYY-MM-DD`). */
  cycle?: string | undefined;
  /** Schedule on a blackout anyway: the reason (only release types and roles the template allows). */
  blackoutOverrideReason?: string | undefined;
};

/**
 * Checks a release's planned date against the calendar (blackout windows,
 * change cycles) before it is written, and returns the columns to set
 * (cycle, override). Throws a ConflictError for a blackout without a valid
 * override.
 */
export async function checkReleaseSchedule(
  _db: Trx,
  _deps: ServiceDeps,
  _actor: Actor,
  _template: ProcessTemplate,
  _release: ReleaseTable,
  _input: ScheduleInput,
): Promise<Partial<Pick<ReleaseTable, 'cycle_id' | 'blackout_override' | 'planned_date'>>> {
  return {};
}
