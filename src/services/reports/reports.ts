import { releaseItemsForReport, releasesForReport, testAttemptsForReport, transitionsForReport } from '../../db/repositories/reports.js';
import { workItemElements } from '../../db/repositories/work-items.js';
import { zonedInstant } from '../../domain/checklist.js';
import { addDays, isCalendarDate } from '../../domain/dates.js';
import { QueryValidationError } from '../../domain/errors.js';
import { delivery, type DeliveryReport, type ReleaseFact } from '../../domain/reports/delivery.js';
import type { Period } from '../../domain/reports/period.js';
import { triage, type TriageReport } from '../../domain/reports/triage.js';
import type { ProcessTemplate } from '../../domain/template/schema.js';
import type { Actor } from '../actor.js';
import { resolveApplicationForRead } from '../applications.js';
import { today } from '../calendar/common.js';
import type { ServiceDeps } from '../deps.js';

export type ReportQuery = { app?: string | undefined; from?: string | undefined; to?: string | undefined };

/** Without dates, the reports cover the last 90 days up to today. */
export const DEFAULT_DAYS = 90;
/** An emergency release this many days after a production release, carrying one of its elements, marks it as failed. */
export const DEFAULT_WINDOW_DAYS = 7;
/** The release type whose releases correct errors that harm production (P12). */
export const EMERGENCY_TYPE = 'emergency';

function periodOf(query: ReportQuery, template: ProcessTemplate, todayDate: string): Period {
  for (const field of ['from', 'to'] as const) {
    const v = query[field];
    if (v !== undefined && !isCalendarDate(v))
      throw new QueryValidationError('Invalid period', [{ path: field, message: 'must be a date (YYYY-MM-DD)' }]);
  }
  const to = query.to ?? (query.from !== undefined && query.from > todayDate ? query.from : todayDate);
  const from = query.from ?? addDays(to, -(DEFAULT_DAYS - 1));
  if (from > to) throw new QueryValidationError('Invalid period', [{ path: 'from', message: 'must not be after to' }]);
  return { from, to, timeZone: template.calendar.timeZone };
}

const itemKey = (kind: string, n: number): string => `${kind}-${n}`;

export type TriageView = TriageReport & { app: string; period: Period };

/** Acceptance-test triage of one application's test attempts recorded in the period. */
export async function triageReport(deps: ServiceDeps, _actor: Actor, query: ReportQuery): Promise<TriageView> {
  const ctx = await resolveApplicationForRead(deps, query.app);
  const period = periodOf(query, ctx.template, today(deps, ctx.template));
  const rows = await testAttemptsForReport(
    deps.database.kysely,
    ctx.app.id,
    zonedInstant(period.from, '00:00', period.timeZone).toISOString(),
    zonedInstant(addDays(period.to, 1), '00:00', period.timeZone).toISOString(),
  );
  const report = triage(
    rows.map((r) => ({
      release: r.release,
      cycle: r.cycle ?? null,
      item: itemKey(r.kind, r.kindNumber),
      environment: r.environment,
      result: r.result,
      cause: r.cause,
      at: r.at,
    })),
    ctx.template.failureCauses.map((c) => c.id),
  );
  return { app: ctx.app.key, period, ...report };
}

export type DeliveryView = DeliveryReport & { app: string };

/** Delivery figures of one application over the period, from its releases' transitions and items. */
export async function deliveryReport(
  deps: ServiceDeps,
  _actor: Actor,
  query: ReportQuery & { windowDays?: number | undefined },
): Promise<DeliveryView> {
  const db = deps.database.kysely;
  const ctx = await resolveApplicationForRead(deps, query.app);
  const period = periodOf(query, ctx.template, today(deps, ctx.template));
  const [releases, transitions, items] = await Promise.all([
    releasesForReport(db, ctx.app.id),
    transitionsForReport(db, ctx.app.id),
    releaseItemsForReport(db, ctx.app.id),
  ]);
  const templates = new Map<string, ProcessTemplate>();
  for (const r of releases) {
    if (!templates.has(r.template_version_id)) templates.set(r.template_version_id, await deps.templates.byId(db, r.template_version_id));
  }
  const facts: ReleaseFact[] = releases.map((r) => {
    const production = new Set(
      templates
        .get(r.template_version_id)!
        .states.filter((s) => s.inProduction)
        .map((s) => s.id),
    );
    const own = transitions.filter((t) => t.releaseId === r.id);
    const productionAt = own.find((t) => production.has(t.toState))?.at ?? null;
    const rolledBackAt =
      productionAt === null
        ? null
        : (own.find((t) => t.at >= productionAt && production.has(t.fromState) && !production.has(t.toState))?.at ?? null);
    const mine = items.filter((i) => i.releaseId === r.id);
    return {
      name: r.name,
      emergency: r.type === EMERGENCY_TYPE,
      productionAt,
      rolledBackAt,
      elements: [...new Set(mine.flatMap((i) => workItemElements.decode(i.elements).map((e) => `${e.type}:${e.name}`)))],
      items: mine.map((i) => ({ key: itemKey(i.kind, i.kindNumber), createdAt: i.createdAt })),
    };
  });
  return { app: ctx.app.key, ...delivery(facts, period, query.windowDays ?? DEFAULT_WINDOW_DAYS) };
}
