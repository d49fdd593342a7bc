import type { AuditFilter } from '../db/repositories/audit-events.js';
import { applicationByKey } from '../db/repositories/applications.js';
import { DomainError } from '../domain/errors.js';
import { resolveApplicationForRead } from './applications.js';
import { listAudit, type AuditEventView } from './audit.js';
import type { ServiceDeps } from './deps.js';
import { findRelease } from './release-lookup.js';

export type AuditQuery = AuditFilter & { app?: string | undefined };

/**
 * The subject id a filter means. A release's events are filed under
 * `<application>/<release name>`; a bare release name (`CFIS002`, in any
 * case) is taken as a release of `app` (or the default application), and
 * `cms-net/cfis002` finds `cms-net/CFIS002`. Anything else (a user name, a
 * template `key@version`, an id that is no release) is matched as given.
 */
export async function auditSubjectId(deps: ServiceDeps, app: string | undefined, subjectId: string): Promise<string> {
  const slash = subjectId.indexOf('/');
  const db = deps.database.kysely;
  try {
    if (slash < 0) {
      const ctx = await resolveApplicationForRead(deps, app);
      const r = await findRelease(db, ctx.app.id, subjectId);
      return r ? `${ctx.app.key}/${r.name}` : subjectId;
    }
    const application = await applicationByKey(db, subjectId.slice(0, slash));
    const r = application ? await findRelease(db, application.id, subjectId.slice(slash + 1)) : undefined;
    return application && r ? `${application.key}/${r.name}` : subjectId;
  } catch (err) {
    // No application to look in (several, none the default) or an ambiguous name: match the id as given.
    if (err instanceof DomainError) return subjectId;
    throw err;
  }
}

/** Audit events by filter; a release's subject may be given by its name (see auditSubjectId). */
export async function listAuditEvents(
  deps: ServiceDeps,
  query: AuditQuery,
): Promise<{ items: AuditEventView[]; nextAfterSeq: number | null }> {
  const { app, ...filter } = query;
  const asRelease = filter.subjectId !== undefined && (filter.subjectType === undefined || filter.subjectType === 'release');
  const subjectId = asRelease && filter.subjectId !== undefined ? await auditSubjectId(deps, app, filter.subjectId) : filter.subjectId;
  return listAudit(deps.database, { ...filter, subjectId });
}
