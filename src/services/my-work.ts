import { auditPayload, latestEventsOfSubjects } from '../db/repositories/audit-events.js';
import { loadLifecycleRows } from '../db/repositories/lifecycle.js';
import { releaseChannels, releaseNamesCreatedBy, releasesNotInStates } from '../db/repositories/releases.js';
import type { ReleaseTable } from '../db/schema.js';
import { summarizeReleaseEvent } from '../domain/audit/release-event-summary.js';
import { approvalsWaitingFor, type WaitingApproval } from '../domain/lifecycle/approvals-waiting.js';
import { isTerminalState } from '../domain/release-rules.js';
import type { ProcessTemplate } from '../domain/template/schema.js';
import type { Actor } from './actor.js';
import { resolveApplicationForRead } from './applications.js';
import { today } from './calendar/common.js';
import { listCycles, type CycleView } from './calendar/cycles.js';
import { openChecklistTasks } from './checklist/tasks.js';
import type { ChecklistTaskView } from './checklist/view.js';
import { stepRoles, waitingManualSteps } from '../db/repositories/deployment-runs.js';
import type { ServiceDeps } from './deps.js';
import { toSnapshot } from './lifecycle/snapshot.js';

export type ReleaseSummary = {
  name: string;
  type: string;
  state: string;
  title: string;
  plannedDate: string;
  channels: string[];
  createdBy: string;
  updatedAt: string;
  version: number;
};

export type MyWorkView = {
  inFlight: { state: string; stateName: string; releases: ReleaseSummary[] }[];
  approvalsWaiting: (WaitingApproval & { release: string })[];
  /** Manual deployment steps waiting for a role the person holds. */
  deploymentSteps: {
    release: string;
    run: number;
    environment: string;
    step: string;
    name: string;
    since: string | null;
    escalationLevel: number;
  }[];
  tasks: ChecklistTaskView[];
  nextCycles: CycleView[];
  recentChanges: { seq: number; at: string; actor: string; action: string; release: string; summary: string }[];
};

export const NEXT_CYCLES = 3;
const RECENT_CHANGES = 20;
/** How many of the person's own releases the recent changes look at: the newest ones. */
const OWN_RELEASES = 200;

const summaryOf = (r: ReleaseTable): ReleaseSummary => ({
  name: r.name,
  type: r.type,
  state: r.state,
  title: r.title,
  plannedDate: r.planned_date,
  channels: releaseChannels.decode(r.channels),
  createdBy: r.created_by,
  updatedAt: r.updated_at,
  version: r.row_version,
});

/**
 * One person's start page: the releases going on by state, the approvals they
 * could give now, their open checklist tasks (overdue first), the next change
 * cycles and the latest changes to the releases they created.
 */
export async function myWork(
  deps: ServiceDeps,
  actor: Actor,
  input: { app?: string | undefined; cycles?: number | undefined },
): Promise<MyWorkView> {
  const db = deps.database.kysely;
  const ctx = await resolveApplicationForRead(deps, input.app);
  const terminal = ctx.template.states.filter((s) => s.terminal).map((s) => s.id);
  // Releases under an older template version may have other terminal states: each is checked against its own.
  const going: { row: ReleaseTable; template: ProcessTemplate }[] = [];
  for (const row of await releasesNotInStates(db, ctx.app.id, terminal)) {
    const template = await deps.templates.byId(db, row.template_version_id);
    if (!isTerminalState(template, row.state)) going.push({ row, template });
  }

  const order = new Map(ctx.template.states.map((s, i) => [s.id, i]));
  const groups = new Map<string, MyWorkView['inFlight'][number]>();
  for (const { row, template } of going) {
    const group = groups.get(row.state) ?? {
      state: row.state,
      stateName: template.states.find((s) => s.id === row.state)?.name ?? row.state,
      releases: [],
    };
    group.releases.push(summaryOf(row));
    groups.set(row.state, group);
  }
  const rank = (state: string) => order.get(state) ?? order.size;
  const inFlight = [...groups.values()].sort((a, b) => rank(a.state) - rank(b.state));

  const approvalsWaiting: MyWorkView['approvalsWaiting'] = [];
  for (const { row, template } of going) {
    if (!template.approvals.some((a) => a.roles.some((r) => actor.roles.includes(r)))) continue;
    const snapshot = toSnapshot(row, await loadLifecycleRows(db, row.id));
    for (const w of approvalsWaitingFor(template, snapshot, actor)) approvalsWaiting.push({ release: row.name, ...w });
  }

  const tasks = (await openChecklistTasks(deps, actor, { app: input.app, mine: true })).sort(
    (a, b) => Number(b.overdue) - Number(a.overdue),
  );

  const cycles = await listCycles(deps, { app: input.app, from: today(deps, ctx.template) });
  const nextCycles = cycles.items.filter((c) => c.status === 'planned').slice(0, input.cycles ?? NEXT_CYCLES);

  const mine = await releaseNamesCreatedBy(db, ctx.app.id, actor.username, OWN_RELEASES);
  const prefix = `${ctx.app.key}/`;
  const events = await latestEventsOfSubjects(
    db,
    'release',
    mine.map((n) => prefix + n),
    RECENT_CHANGES,
  );
  const recentChanges = events.map((e) => ({
    seq: e.seq,
    at: e.at,
    actor: e.actor,
    action: e.action,
    release: e.subject_id.slice(prefix.length),
    summary: summarizeReleaseEvent(e.action, auditPayload.decode(e.before_json), auditPayload.decode(e.after_json)),
  }));

  const deploymentSteps = (await waitingManualSteps(db, ctx.app.id))
    .filter((s) => stepRoles.decode(s.roles).some((r) => actor.roles.includes(r)))
    .map((s) => ({
      release: s.release_name,
      run: Number(s.run_number),
      environment: s.environment,
      step: s.step,
      name: s.name,
      since: s.started_at,
      escalationLevel: Number(s.escalation_level),
    }));

  return { inFlight, approvalsWaiting, deploymentSteps, tasks, nextCycles, recentChanges };
}
