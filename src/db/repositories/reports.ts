import type { Db } from '../database.js';

/** A test attempt of one application's release, recorded in a time range (ISO timestamps, `from` included, `to` not). */
export async function testAttemptsForReport(db: Db, applicationId: string, from: string, to: string) {
  return db
    .selectFrom('test_attempts as t')
    .innerJoin('releases as r', 'r.id', 't.release_id')
    .innerJoin('work_items as w', 'w.id', 't.item_id')
    .leftJoin('change_cycles as c', 'c.id', 'r.cycle_id')
    .select([
      'r.name as release',
      'c.cycle_date as cycle',
      'w.kind as kind',
      'w.kind_number as kindNumber',
      't.environment as environment',
      't.result as result',
      't.cause as cause',
      't.recorded_at as at',
    ])
    .where('r.application_id', '=', applicationId)
    .where('t.recorded_at', '>=', from)
    .where('t.recorded_at', '<', to)
    .orderBy('t.recorded_at')
    .execute();
}

/** Every release of one application, with the template version it runs under. */
export async function releasesForReport(db: Db, applicationId: string) {
  return db
    .selectFrom('releases')
    .select(['id', 'name', 'type', 'template_version_id'])
    .where('application_id', '=', applicationId)
    .execute();
}

/** Every transition of one application's releases, oldest first. */
export async function transitionsForReport(db: Db, applicationId: string) {
  return db
    .selectFrom('release_transitions as t')
    .innerJoin('releases as r', 'r.id', 't.release_id')
    .select(['t.release_id as releaseId', 't.from_state as fromState', 't.to_state as toState', 't.performed_at as at'])
    .where('r.application_id', '=', applicationId)
    .orderBy('t.performed_at')
    .execute();
}

/** The work items attached to one application's releases. */
export async function releaseItemsForReport(db: Db, applicationId: string) {
  return db
    .selectFrom('work_items')
    .select(['release_id as releaseId', 'kind', 'kind_number as kindNumber', 'created_at as createdAt', 'elements'])
    .where('application_id', '=', applicationId)
    .where('release_id', 'is not', null)
    .execute();
}
