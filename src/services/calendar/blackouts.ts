import { randomUUID } from 'node:crypto';
import type { Db, Trx } from '../../db/database.js';
import { blackoutById, blackoutsOf, deleteBlackout, insertBlackout, releasesPlanned } from '../../db/repositories/calendar.js';
import { releaseChannels } from '../../db/repositories/releases.js';
import type { BlackoutTable, ReleaseTable } from '../../db/schema.js';
import type { BlackoutAuditView } from '../../domain/audit/calendar.js';
import { blackoutEffect } from '../../domain/calendar.js';
import { isCalendarDate } from '../../domain/dates.js';
import { NotFoundError, ValidationError, type FieldProblem } from '../../domain/errors.js';
import type { ProcessTemplate } from '../../domain/template/schema.js';
import type { Actor } from '../actor.js';
import { resolveApplication, resolveApplicationForRead, type AppContext } from '../applications.js';
import { requireAppAction } from '../authorize.js';
import type { ServiceDeps } from '../deps.js';
import { write } from '../write.js';
import { toWindow } from './common.js';

export type BlackoutView = BlackoutAuditView;

function effectOf(template: ProcessTemplate, b: BlackoutTable): 'blocks' | 'warns' {
  const env = b.environment === null ? undefined : template.environments.find((e) => e.id === b.environment);
  return b.environment === null || env?.production === true ? 'blocks' : 'warns';
}

async function openReleasesBetween(db: Db | Trx, template: ProcessTemplate, applicationId: string, from: string, to: string) {
  const terminal = template.states.filter((s) => s.terminal).map((s) => s.id);
  return releasesPlanned(db, { applicationId, from, to, notInStates: terminal });
}

function view(ctx: AppContext, b: BlackoutTable, releases: ReleaseTable[]): BlackoutView {
  const w = toWindow(b);
  return {
    id: b.id,
    application: ctx.app.key,
    from: b.starts_on,
    to: b.ends_on,
    channel: b.channel,
    environment: b.environment,
    reason: b.reason,
    effect: effectOf(ctx.template, b),
    releases: releases
      .filter(
        (r) => blackoutEffect(ctx.template, w, { plannedDate: r.planned_date, channels: releaseChannels.decode(r.channels) }) !== 'none',
      )
      .map((r) => ({ name: r.name, plannedDate: r.planned_date, overridden: r.blackout_override !== null })),
    createdBy: b.created_by,
    createdAt: b.created_at,
  };
}

export async function listBlackouts(
  deps: ServiceDeps,
  input: { app?: string | undefined; from?: string | undefined; to?: string | undefined },
) {
  const ctx = await resolveApplicationForRead(deps, input.app);
  const db = deps.database.kysely;
  const rows = await blackoutsOf(db, ctx.app.id, input.from, input.to);
  const items: BlackoutView[] = [];
  for (const b of rows) items.push(view(ctx, b, await openReleasesBetween(db, ctx.template, ctx.app.id, b.starts_on, b.ends_on)));
  return { items };
}

export type AddBlackoutInput = {
  app?: string | undefined;
  from: string;
  /** Last day of the window (inclusive); the same as `from` when absent. */
  to?: string | undefined;
  channel?: string | undefined;
  environment?: string | undefined;
  reason: string;
};

/**
 * Adds a blackout window. Releases already planned inside it are not moved:
 * they are listed in the answer and in the conflicts until they are moved
 * or an override is recorded for them.
 */
export async function addBlackout(deps: ServiceDeps, actor: Actor, input: AddBlackoutInput): Promise<BlackoutView> {
  return write(deps, actor, async (tx) => {
    const { db } = tx;
    const ctx = await resolveApplication(deps, db, input.app);
    requireAppAction(ctx.template, actor, 'calendar.manage');
    const to = input.to ?? input.from;
    const problems: FieldProblem[] = [];
    if (!isCalendarDate(input.from)) problems.push({ path: 'from', message: 'expected a date as YYYY-MM-DD' });
    if (!isCalendarDate(to)) problems.push({ path: 'to', message: 'expected a date as YYYY-MM-DD' });
    else if (isCalendarDate(input.from) && to < input.from) problems.push({ path: 'to', message: `is before from (${input.from})` });
    if (input.channel !== undefined && !ctx.template.channels.some((c) => c.id === input.channel)) {
      problems.push({
        path: 'channel',
        message: `unknown channel "${input.channel}"; one of: ${ctx.template.channels.map((c) => c.id).join(', ')}`,
      });
    }
    if (input.environment !== undefined && !ctx.template.environments.some((e) => e.id === input.environment)) {
      problems.push({
        path: 'environment',
        message: `unknown environment "${input.environment}"; one of: ${ctx.template.environments.map((e) => e.id).join(', ')}`,
      });
    }
    if (input.reason.trim() === '') problems.push({ path: 'reason', message: 'a blackout needs a reason' });
    if (problems.length > 0) throw new ValidationError('the blackout window is invalid', problems);
    const row: BlackoutTable = {
      id: randomUUID(),
      application_id: ctx.app.id,
      starts_on: input.from,
      ends_on: to,
      channel: input.channel ?? null,
      environment: input.environment ?? null,
      reason: input.reason.trim(),
      created_by: actor.username,
      created_at: deps.clock().toISOString(),
    };
    await insertBlackout(db, row);
    const v = view(ctx, row, await openReleasesBetween(db, ctx.template, ctx.app.id, row.starts_on, row.ends_on));
    return tx.audit({ action: 'blackout.add', subjectType: 'blackout', subjectId: `${ctx.app.key}/${row.id}`, after: v }, v);
  });
}

export async function removeBlackout(deps: ServiceDeps, actor: Actor, app: string | undefined, id: string): Promise<void> {
  await write(deps, actor, async (tx) => {
    const { db } = tx;
    const ctx = await resolveApplication(deps, db, app);
    requireAppAction(ctx.template, actor, 'calendar.manage');
    const row = await blackoutById(db, ctx.app.id, id);
    if (!row) throw new NotFoundError('blackout', id);
    await deleteBlackout(db, id);
    return tx.audit(
      { action: 'blackout.remove', subjectType: 'blackout', subjectId: `${ctx.app.key}/${id}`, before: view(ctx, row, []) },
      undefined,
    );
  });
}
