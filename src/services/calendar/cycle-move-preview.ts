import { blackoutsOf, cycleOn, releasesInCycles } from '../../db/repositories/calendar.js';
import { checklistOf } from '../../db/repositories/checklist.js';
import { releaseChannels } from '../../db/repositories/releases.js';
import { taskDueDate } from '../../domain/checklist.js';
import { cycleMoveBlackouts } from '../../domain/cycle-move.js';
import { ConflictError, ValidationError } from '../../domain/errors.js';
import { isTerminalState } from '../../domain/release-rules.js';
import type { ProcessTemplate } from '../../domain/template/schema.js';
import type { Actor } from '../actor.js';
import { resolveApplicationForRead } from '../applications.js';
import { requireAppAction } from '../authorize.js';
import { releaseMilestoneDates } from '../checklist/sync.js';
import type { ServiceDeps } from '../deps.js';
import { composeMail } from '../mail/compose.js';
import { toWindow } from './common.js';
import { dateProblem, loadCycle, notInPast, type CycleRef } from './cycles.js';

export type CycleMovePreview = {
  from: string;
  to: string;
  /** Why the move would be refused without a blackout override; null when nothing blocks. */
  blackout: string | null;
  releases: {
    name: string;
    title: string;
    plannedDate: string;
    tasks: { task: string; title: string; from: string | null; to: string | null }[];
    told: string[];
  }[];
  version: number;
};

/**
 * What moving a cycle would do, written nowhere: the open releases that move
 * with it, the new due dates of their open checklist tasks (the same rule the
 * move applies), and the addresses the `cycle-moved` mail would go to. The
 * move itself refuses the same dates this refuses.
 */
export async function previewCycleMove(deps: ServiceDeps, actor: Actor, ref: CycleRef, to: string): Promise<CycleMovePreview> {
  const ctx = await resolveApplicationForRead(deps, ref.app);
  requireAppAction(ctx.template, actor, 'calendar.manage');
  const db = deps.database.kysely;
  const c = await loadCycle(db, ctx, ref.date);
  if (c.status !== 'planned')
    throw new ConflictError(`the change cycle of ${ref.date} is cancelled; plan a new one instead`, 'cycle-cancelled');
  dateProblem('to', to);
  if (to === ref.date) throw new ValidationError('the cycle is already on that date', [{ path: 'to', message: `is ${ref.date}` }]);
  notInPast(deps, ctx.template, 'to', to);
  const taken = await cycleOn(db, ctx.app.id, to);
  if (taken) throw new ConflictError(`there is already a change cycle on ${to}; book the releases into it instead`, 'cycle-exists');
  const booked = await releasesInCycles(db, [c.id]);
  const templates = new Map<string, ProcessTemplate>();
  for (const r of booked) templates.set(r.template_version_id, await deps.templates.byId(db, r.template_version_id));
  const templateOf = (id: string) => templates.get(id) ?? ctx.template;
  const open = booked.filter((r) => !isTerminalState(templateOf(r.template_version_id), r.state));
  const windows = (await blackoutsOf(db, ctx.app.id, to, to)).map(toWindow);
  const { what } = cycleMoveBlackouts({
    to,
    windows,
    releases: open.map((r) => ({
      id: r.id,
      name: r.name,
      type: r.type,
      channels: releaseChannels.decode(r.channels),
      template: templateOf(r.template_version_id),
    })),
    overridableTypes: ctx.template.calendar.blackoutOverride?.releaseTypes ?? [],
  });
  const releases: CycleMovePreview['releases'] = [];
  for (const r of open) {
    const t = templateOf(r.template_version_id);
    const moved = { ...r, planned_date: to };
    const dates = await releaseMilestoneDates(db, t, moved);
    const rules = new Map(t.checklist.map((d) => [d.id, d]));
    const tasks = (await checklistOf(db, r.id))
      .filter((k) => k.status === 'open')
      .map((k) => {
        const def = rules.get(k.task_id);
        return { task: k.task_id, title: k.title, from: k.due_date, to: def ? taskDueDate(def.due, to, dates) : k.due_date };
      });
    let told: string[] = [];
    if (t.mailTemplates.some((m) => m.id === 'cycle-moved')) {
      const mail = await composeMail(db, t, {
        mailTemplate: 'cycle-moved',
        cause: 'cycle.move',
        values: {},
        recipients: { applicationId: ctx.app.id, owner: r.created_by },
        releaseId: r.id,
        createdBy: actor.username,
      });
      told = [...mail.to, ...mail.cc];
    }
    releases.push({ name: r.name, title: r.title, plannedDate: r.planned_date, tasks, told });
  }
  return { from: c.cycle_date, to, blackout: what === '' ? null : what, releases, version: c.row_version };
}
