import { listAuditEvents } from '../db/repositories/audit-events.js';
import type { AuditEventTable } from '../db/schema.js';
import { auditSubjectId, type AuditQuery } from './audit-read.js';
import type { ServiceDeps } from './deps.js';

export const AUDIT_CSV_HEADER = ['seq', 'at', 'actor', 'action', 'subjectType', 'subjectId', 'before', 'after'] as const;
const BATCH = 500;

/**
 * One CSV cell (RFC 4180). A cell a spreadsheet would take for a formula
 * (starting = + - @, or a tab or carriage return) gets a leading quote, so
 * opening the export never runs what someone typed into a note.
 */
export function csvCell(value: string | number | null): string {
  let text = value === null ? '' : String(value);
  if (/^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

function csvRow(e: AuditEventTable): string {
  // The payloads are kept as the canonical JSON that was hashed.
  return [e.seq, e.at, e.actor, e.action, e.subject_type, e.subject_id, e.before_json, e.after_json].map(csvCell).join(',') + '\r\n';
}

/** The filtered events as CSV lines, oldest first, read in batches so any size of trail streams. */
export async function* auditCsv(deps: ServiceDeps, query: Omit<AuditQuery, 'limit' | 'afterSeq'>): AsyncGenerator<string> {
  const { app, ...filter } = query;
  const asRelease = filter.subjectId !== undefined && (filter.subjectType === undefined || filter.subjectType === 'release');
  const subjectId = asRelease && filter.subjectId !== undefined ? await auditSubjectId(deps, app, filter.subjectId) : filter.subjectId;
  yield AUDIT_CSV_HEADER.join(',') + '\r\n';
  let afterSeq = 0;
  for (;;) {
    const rows = await listAuditEvents(deps.database.kysely, { ...filter, subjectId, afterSeq, limit: BATCH });
    if (rows.length > 0) yield rows.map(csvRow).join('');
    if (rows.length < BATCH) return;
    afterSeq = rows.at(-1)?.seq ?? afterSeq;
  }
}
