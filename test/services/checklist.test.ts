import { randomUUID } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  ConflictError,
  ForbiddenError,
  GatesNotSatisfiedError,
  NotFoundError,
  StaleVersionError,
  ValidationError,
} from '../../src/domain/errors.js';
import { createDeps } from '../../src/runtime.js';
import { SYSTEM_ACTOR, type Actor } from '../../src/services/actor.js';
import { sweepChecklist } from '../../src/services/checklist/sweep.js';
import {
  completeTask,
  openChecklistTasks,
  releaseChecklist,
  reopenTask,
  setMilestone,
  skipTask,
} from '../../src/services/checklist/tasks.js';
import type { ServiceDeps } from '../../src/services/deps.js';
import { releaseGates, performTransition } from '../../src/services/lifecycle/transitions.js';
import { enqueueMail } from '../../src/services/mail/outbox.js';
import { createRelease, updateRelease } from '../../src/services/releases.js';
import { publishTemplate } from '../../src/services/templates.js';
import { addUser } from '../../src/services/users.js';
import { assignWorkItem, createWorkItem } from '../../src/services/work-items.js';
import { dialects, open } from '../support/databases.js';
import { harness, type Harness } from '../support/harness.js';
import {
  auditEvents,
  lastAuditSeq,
  type ManualClock,
  manualClock,
  rejectsWith,
  releaseInput,
  REVIEWED,
  templateYaml,
} from '../support/service-fixtures.js';

const TASKS = ['inform-deployment-team', 'prepare-release-notes', 'send-release-notes', 'transfer-web-packages', 'back-up-databases'];

async function person(deps: ServiceDeps, username: string, roles: string[], email: string | null): Promise<Actor> {
  const u = await addUser(deps, SYSTEM_ACTOR, { username, roles, email, password: 'correct horse battery staple' });
  const row = await deps.database.kysely.selectFrom('users').select('id').where('username', '=', username).executeTakeFirstOrThrow();
  return { userId: row.id, username, roles: u.roles };
}

async function escalationContact(deps: ServiceDeps, position: number, person: string, email: string | null, phone: string | null) {
  const app = await deps.database.kysely.selectFrom('applications').select('id').executeTakeFirstOrThrow();
  const at = new Date().toISOString();
  await deps.database.kysely
    .insertInto('contacts')
    .values({
      id: randomUUID(),
      application_id: app.id,
      kind: 'escalation',
      role: 'cmc',
      system: null,
      person,
      phone,
      email,
      position,
      created_at: at,
      updated_at: at,
    })
    .execute();
}

const outbox = (deps: ServiceDeps) =>
  deps.database.kysely.selectFrom('mail_outbox').selectAll().orderBy('created_at').orderBy('subject').execute();

describe.each(dialects)('reconciliation checklist ($name)', ({ name }) => {
  let h: Harness;
  let deps: ServiceDeps;
  let clock: ManualClock;
  let lead: Actor;
  let dev: Actor;
  let cmc: Actor;
  let viewer: Actor;

  beforeEach(async () => {
    clock = manualClock('2030-01-07T09:00:00.000Z');
    h = await harness(name, clock.clock);
    deps = h.deps;
    lead = await person(deps, 'terry', ['technical-lead'], 'terry@example.org');
    dev = await person(deps, 'dana', ['developer'], 'dana@example.org');
    cmc = await person(deps, 'carol', ['cmc'], 'carol@example.org');
    viewer = await person(deps, 'vera', ['viewer'], null);
  });
  afterEach(async () => h.close());

  const newRelease = async (plannedDate = '2030-03-09') =>
    (await createRelease(deps, lead, releaseInput({ plannedDate, channels: ['database', 'web'] }))).name;
  const tasksOf = async (release: string) => (await releaseChecklist(deps, { name: release })).tasks;

  it('creates the template’s five tasks with the release, due −14 days, at the milestone, −1, −1 and on release day', async () => {
    const rel = await newRelease('2030-03-09');
    const c = await releaseChecklist(deps, { name: rel });
    expect(c.milestones).toEqual([
      { id: 'uat-start', name: 'User acceptance testing starts', date: '2030-03-02', set: false, setBy: null, setAt: null },
    ]);
    expect(c.tasks.map((t) => [t.task, t.position, t.due, t.status, t.overdue])).toEqual([
      [TASKS[0], 1, '2030-02-23', 'open', false],
      [TASKS[1], 2, '2030-03-02', 'open', false],
      [TASKS[2], 3, '2030-03-08', 'open', false],
      [TASKS[3], 4, '2030-03-08', 'open', false],
      [TASKS[4], 5, '2030-03-09', 'open', false],
    ]);
    const send = c.tasks[2];
    expect(send?.dueRule).toBe('1 day before release day');
    expect(send?.responsible).toEqual([
      { role: 'technical-lead', name: 'Technical Lead', people: [{ name: 'terry', email: 'terry@example.org' }] },
    ]);
    expect(send?.reminderDueAt).toBe('2030-03-09T13:00:00.000Z');
    expect(c.tasks[1]?.dueRule).toBe('on "User acceptance testing starts"');
  });

  it('moves open tasks with the planned date and the milestone; done tasks keep their date', async () => {
    const rel = await newRelease('2030-03-09');
    await completeTask(deps, lead, { name: rel }, 'inform-deployment-team', { note: 'mailed the team' });
    await updateRelease(deps, lead, { name: rel }, { plannedDate: '2030-03-16' });
    let tasks = await tasksOf(rel);
    expect(tasks.map((t) => t.due)).toEqual(['2030-02-23', '2030-03-09', '2030-03-15', '2030-03-15', '2030-03-16']);

    const seq = await lastAuditSeq(deps);
    const c = await setMilestone(deps, lead, { name: rel }, 'uat-start', { date: '2030-03-11' });
    expect(c.milestones[0]).toMatchObject({ date: '2030-03-11', set: true, setBy: 'terry' });
    tasks = c.tasks;
    expect(tasks[1]?.due).toBe('2030-03-11');
    expect((await auditEvents(deps, seq)).map((e) => e.action)).toEqual(['milestone.set']);

    // The milestone keeps its date when release day moves again.
    await updateRelease(deps, lead, { name: rel }, { plannedDate: '2030-03-23' });
    tasks = await tasksOf(rel);
    expect(tasks.map((t) => t.due)).toEqual(['2030-02-23', '2030-03-11', '2030-03-22', '2030-03-22', '2030-03-23']);

    // Reopening the done task puts it back on the release's dates.
    const reopened = await reopenTask(deps, cmc, { name: rel }, 'inform-deployment-team', { reason: 'the packages changed' });
    expect(reopened).toMatchObject({ status: 'open', due: '2030-03-09', note: 'the packages changed', completedBy: null });

    await rejectsWith(setMilestone(deps, dev, { name: rel }, 'nope', { date: '2030-03-01' }), NotFoundError);
    await rejectsWith(setMilestone(deps, viewer, { name: rel }, 'uat-start', { date: '2030-03-01' }), ForbiddenError);
    await rejectsWith(setMilestone(deps, lead, { name: rel }, 'uat-start', { date: '2030-02-30' }), ValidationError);
  });

  it('lets checklist.complete roles and the task’s responsible roles complete it, with a note and evidence', async () => {
    const rel = await newRelease();
    // The developer is responsible for the release notes but not for sending them.
    const prepared = await completeTask(deps, dev, { name: rel }, 'prepare-release-notes', {
      note: 'written',
      link: 'https://wiki.example.org/CFIS/notes',
    });
    expect(prepared).toMatchObject({
      status: 'done',
      note: 'written',
      completedBy: 'dana',
      evidence: { link: 'https://wiki.example.org/CFIS/notes' },
      completedAt: '2030-01-07T09:00:00.000Z',
    });
    const denied = await rejectsWith(completeTask(deps, dev, { name: rel }, 'send-release-notes', { note: 'x' }), ForbiddenError);
    expect(denied.allowedRoles).toEqual(expect.arrayContaining(['cmc', 'technical-lead']));
    await rejectsWith(completeTask(deps, viewer, { name: rel }, 'back-up-databases', { note: 'x' }), ForbiddenError);
    const noNote = await rejectsWith(completeTask(deps, cmc, { name: rel }, 'back-up-databases', { note: '  ' }), ValidationError);
    expect(noNote.problems.map((p) => p.path)).toEqual(['note']);
    await rejectsWith(completeTask(deps, cmc, { name: rel }, 'no-such-task', { note: 'x' }), NotFoundError);
    await rejectsWith(completeTask(deps, cmc, { name: rel }, 'prepare-release-notes', { note: 'again' }), ConflictError);

    // A mail of this release as evidence.
    const releaseId = (await deps.database.kysely.selectFrom('releases').select('id').where('name', '=', rel).executeTakeFirstOrThrow()).id;
    const mail = await deps.database.transaction(({ db }) =>
      enqueueMail(db, deps, {
        template: 'release-notes',
        cause: 'release.mail',
        applicationId: null,
        releaseId,
        to: ['deployment-team@example.org'],
        cc: [],
        subject: `${rel}: release notes`,
        body: '…',
        createdBy: 'terry',
      }),
    );
    const bad = await rejectsWith(
      completeTask(deps, lead, { name: rel }, 'send-release-notes', { note: 'sent', mailId: randomUUID() }),
      ValidationError,
    );
    expect(bad.problems.map((p) => p.path)).toEqual(['mailId']);
    const sent = await completeTask(deps, lead, { name: rel }, 'send-release-notes', { note: 'sent', mailId: mail.id });
    expect(sent.evidence).toEqual({ mailId: mail.id, mailSubject: `${rel}: release notes` });

    const skipped = await skipTask(deps, cmc, { name: rel }, 'transfer-web-packages', { reason: 'no web channel' });
    expect(skipped).toMatchObject({ status: 'skipped', note: 'no web channel', completedBy: 'carol' });
    await rejectsWith(skipTask(deps, cmc, { name: rel }, 'back-up-databases', { reason: ' ' }), ValidationError);
    await rejectsWith(reopenTask(deps, cmc, { name: rel }, 'back-up-databases', { reason: 'x' }), ConflictError);
    // Optimistic version of the task.
    await rejectsWith(
      reopenTask(deps, cmc, { name: rel }, 'transfer-web-packages', { reason: 'x', expectedVersion: skipped.version - 1 }),
      StaleVersionError,
    );

    const audit = (await auditEvents(deps)).filter((e) => e.action.startsWith('checklist.'));
    expect(audit.map((e) => [e.action, e.actor])).toEqual([
      ['checklist.complete', 'dana'],
      ['checklist.complete', 'terry'],
      ['checklist.skip', 'carol'],
    ]);

    // Mine: the developer's open tasks (none left), the technical lead's.
    expect(await openChecklistTasks(deps, dev, { mine: true })).toEqual([]);
    expect((await openChecklistTasks(deps, lead, { mine: true })).map((t) => t.task)).toEqual(['inform-deployment-team']);
    expect((await openChecklistTasks(deps, cmc, { release: rel })).map((t) => t.task)).toEqual([
      'inform-deployment-team',
      'back-up-databases',
    ]);
    clock.set('2030-02-24T05:00:00.000Z'); // 00:00 in New York on the day after the first task's due date
    expect((await openChecklistTasks(deps, cmc, { overdue: true })).map((t) => t.task)).toEqual(['inform-deployment-team']);

    // A closed release's checklist takes no skip or reopen any more (a late completion is still true evidence).
    await performTransition(deps, cmc, { name: rel }, { transition: 'cancel', comment: 'not needed' });
    const closed = await rejectsWith(skipTask(deps, cmc, { name: rel }, 'back-up-databases', { reason: 'x' }), ConflictError);
    expect(closed.code).toBe('release-closed');
    expect(await openChecklistTasks(deps, cmc, {})).toEqual([]);
  });

  it('gives a release only the tasks of its channels, and follows its channels when they change', async () => {
    const webOnly = (await createRelease(deps, lead, releaseInput({ plannedDate: '2030-03-09', channels: ['web'] }))).name;
    expect((await tasksOf(webOnly)).map((t) => t.task)).toEqual(TASKS.filter((t) => t !== 'back-up-databases'));
    const dbOnly = (await createRelease(deps, lead, releaseInput({ plannedDate: '2030-03-09', channels: ['database'] }))).name;
    expect((await tasksOf(dbOnly)).map((t) => t.task)).toEqual(TASKS.filter((t) => t !== 'transfer-web-packages'));

    // The web-only release takes on the database channel: its backup task appears, in the template's place.
    const seq = await lastAuditSeq(deps);
    await updateRelease(deps, lead, { name: webOnly }, { channels: ['web', 'database'] });
    expect((await tasksOf(webOnly)).map((t) => t.task)).toEqual(TASKS);
    const [update] = await auditEvents(deps, seq);
    expect(update).toMatchObject({ action: 'release.update', after: { checklist: { added: ['back-up-databases'], removed: [] } } });

    // Dropping the web channel removes its open task; a done task stays as the record of what happened.
    await completeTask(deps, lead, { name: dbOnly }, 'inform-deployment-team', { note: 'told them' });
    await updateRelease(deps, lead, { name: dbOnly }, { channels: ['database', 'web'] });
    expect((await tasksOf(dbOnly)).map((t) => t.task)).toEqual(TASKS);
    await completeTask(deps, cmc, { name: dbOnly }, 'transfer-web-packages', { note: 'transferred' });
    await updateRelease(deps, lead, { name: webOnly }, { channels: ['database'] });
    expect((await tasksOf(webOnly)).map((t) => t.task)).toEqual(TASKS.filter((t) => t !== 'transfer-web-packages'));
    await updateRelease(deps, lead, { name: dbOnly }, { channels: ['database'] });
    expect((await tasksOf(dbOnly)).map((t) => [t.task, t.status])).toContainEqual(['transfer-web-packages', 'done']);
  });

  it('tells each person once of the tasks already overdue when the release was created, then escalates from that message', async () => {
    await escalationContact(deps, 1, 'Erin First', 'erin@example.org', null);
    await person(deps, 'pat', ['technical-lead', 'developer'], 'pat@example.org');
    // Created on Monday 2030-01-07 for Saturday 2030-01-12: "inform" (due 2029-12-29) and "prepare" (due at UAT start,
    // 2030-01-05) are overdue already; the others are not due yet.
    const rel = await newRelease('2030-01-12');
    const seq = await lastAuditSeq(deps);
    const steps = await sweepChecklist(deps);
    expect(steps.map((x) => [x.task, x.kind, x.level])).toEqual([
      ['inform-deployment-team', 'digest', 0],
      ['prepare-release-notes', 'digest', 0],
    ]);
    const mails = await outbox(deps);
    expect(mails.map((m) => m.template)).toEqual(['checklist-overdue-digest', 'checklist-overdue-digest', 'checklist-overdue-digest']);
    const to = (address: string) => mails.find((m) => (JSON.parse(m.recipients) as string[]).includes(address));
    expect(mails.map((m) => JSON.parse(m.recipients) as string[]).sort()).toEqual([
      ['dana@example.org'],
      ['pat@example.org'],
      ['terry@example.org'],
    ]);
    // Pat holds both roles: one message with both tasks.
    const pat = to('pat@example.org');
    expect(pat).toMatchObject({ cause: 'checklist.digest', created_by: 'system', subject: `${rel}: 2 checklist task(s) already overdue` });
    expect(pat?.body).toContain(
      '- Inform the deployment team about the release and where its packages are (inform-deployment-team): due 2029-12-29',
    );
    expect(pat?.body).toContain(
      '- Prepare release notes (prepare-release-notes): due 2030-01-05; responsible: Lead Developer / Developer. Specific to the release.',
    );
    expect(to('terry@example.org')?.body).not.toContain('prepare-release-notes');
    expect(to('dana@example.org')?.body).not.toContain('inform-deployment-team');
    const events = await auditEvents(deps, seq);
    expect(events.map((e) => [e.action, e.actor])).toEqual([['checklist.digest', 'system']]);
    expect(events[0]?.after.tasks.map((x: { task: string }) => x.task)).toEqual(['inform-deployment-team', 'prepare-release-notes']);
    expect((await tasksOf(rel)).filter((t) => t.remindedAt !== null).map((t) => t.task)).toEqual([
      'inform-deployment-team',
      'prepare-release-notes',
    ]);

    // No reminders or escalations follow in a burst: the next level comes a full delay after the digest.
    expect(await sweepChecklist(deps)).toEqual([]);
    clock.advance(23 * 3_600_000);
    expect(await sweepChecklist(deps)).toEqual([]);
    clock.advance(3_600_000);
    expect((await sweepChecklist(deps)).map((x) => [x.task, x.kind, x.level])).toEqual([
      ['inform-deployment-team', 'escalate', 1],
      ['prepare-release-notes', 'escalate', 1],
    ]);
    expect((await outbox(deps)).filter((m) => m.template === 'checklist-reminder')).toEqual([]);
  });

  it('reminds, then escalates level by level at the local reminder time across the March DST change', async () => {
    await escalationContact(deps, 1, 'Erin First', 'erin@example.org', '+1 555 0101');
    await escalationContact(deps, 2, 'Gus Second', 'gus@example.org', null);
    await escalationContact(deps, 2, 'Hal Second', 'hal@example.org', '+1 555 0103');
    const rel = await newRelease('2030-03-09');
    for (const t of [TASKS[0], TASKS[1], TASKS[3], TASKS[4]]) await skipTask(deps, cmc, { name: rel }, t as string, { reason: 'n/a' });
    // send-release-notes is due Friday 2030-03-08; New York changes to summer time on Sunday 2030-03-10.
    const sweepAt = async (at: string) => {
      clock.set(at);
      return sweepChecklist(deps);
    };
    expect(await sweepAt('2030-03-09T12:59:59.000Z')).toEqual([]);
    expect((await tasksOf(rel))[2]?.overdue).toBe(true);

    const seq = await lastAuditSeq(deps);
    const reminded = await sweepAt('2030-03-09T13:00:00.000Z'); // 08:00 EST
    expect(reminded).toMatchObject([{ release: rel, task: 'send-release-notes', kind: 'remind', level: 0, problem: null }]);
    let mails = await outbox(deps);
    expect(mails).toHaveLength(1);
    expect(mails[0]).toMatchObject({
      template: 'checklist-reminder',
      cause: 'checklist.reminder',
      subject: `${rel}: overdue: Send release notes to the deployment team`,
      created_by: 'system',
      created_at: '2030-03-09T13:00:00.000Z',
    });
    expect(JSON.parse(mails[0]?.recipients ?? '')).toEqual(['terry@example.org']);
    expect(mails[0]?.body).toContain('was due on 2030-03-08');
    expect(await sweepAt('2030-03-09T13:30:00.000Z')).toEqual([]);

    expect(await sweepAt('2030-03-10T11:59:59.000Z')).toEqual([]);
    const level1 = await sweepAt('2030-03-10T12:00:00.000Z'); // 08:00 EDT
    expect(level1).toMatchObject([{ kind: 'escalate', level: 1 }]);
    mails = await outbox(deps);
    expect(mails).toHaveLength(2);
    const esc1 = mails.find((m) => m.template === 'checklist-escalation');
    expect(esc1?.subject).toBe(`${rel}: escalation level 1: Send release notes to the deployment team`);
    expect(JSON.parse(esc1?.recipients ?? '').sort()).toEqual(['erin@example.org', 'terry@example.org']);
    expect(esc1?.body).toContain('Erin First (Change Management Coordinator) +1 555 0101 erin@example.org');

    expect(await sweepAt('2030-03-11T11:59:59.000Z')).toEqual([]);
    expect(await sweepAt('2030-03-11T12:00:00.000Z')).toMatchObject([{ kind: 'escalate', level: 2 }]);
    mails = await outbox(deps);
    const esc2 = mails.filter((m) => m.template === 'checklist-escalation').find((m) => m.subject.includes('level 2'));
    expect(JSON.parse(esc2?.recipients ?? '').sort()).toEqual(['gus@example.org', 'hal@example.org', 'terry@example.org']);
    // The list has no third level.
    expect(await sweepAt('2030-03-20T12:00:00.000Z')).toEqual([]);

    const task = (await tasksOf(rel))[2];
    expect(task).toMatchObject({ remindedAt: '2030-03-09T13:00:00.000Z', escalationLevel: 2, escalatedAt: '2030-03-11T12:00:00.000Z' });
    const events = (await auditEvents(deps, seq)).map((e) => [e.action, e.actor, e.after.level]);
    expect(events).toEqual([
      ['checklist.remind', 'system', 0],
      ['checklist.escalate', 'system', 1],
      ['checklist.escalate', 'system', 2],
    ]);

    // Completing it stops everything.
    await completeTask(deps, lead, { name: rel }, 'send-release-notes', { note: 'sent late' });
    expect(await sweepAt('2030-04-01T12:00:00.000Z')).toEqual([]);
  });

  it('records the step of a task with nobody to mail, and leaves done tasks and closed releases alone', async () => {
    const rel = await newRelease('2030-03-09');
    const other = await newRelease('2030-03-09');
    await performTransition(deps, cmc, { name: other }, { transition: 'cancel', comment: 'merged into the first' });
    await completeTask(deps, lead, { name: rel }, 'send-release-notes', { note: 'done early' });
    const seq = await lastAuditSeq(deps);
    clock.set('2030-03-09T13:00:00.000Z');
    const steps = await sweepChecklist(deps);
    // Nobody holds web-lead or database-lead; the developer and the lead do have addresses. No escalation list: reminders only.
    expect(steps.map((s) => [s.task, s.kind, s.mailId === null])).toEqual([
      ['inform-deployment-team', 'remind', false],
      ['prepare-release-notes', 'remind', false],
      ['transfer-web-packages', 'remind', true],
    ]);
    const nobody = steps.find((s) => s.task === 'transfer-web-packages');
    expect(nobody?.problem).toMatch(/^nobody to mail: no user holding Web Lead Developer has an e-mail address/);
    const audit = await auditEvents(deps, seq);
    expect(audit).toHaveLength(3);
    expect(audit[2]).toMatchObject({ action: 'checklist.remind', actor: 'system', after: { task: 'transfer-web-packages', mailId: null } });
    expect(await outbox(deps)).toHaveLength(2);
    expect((await tasksOf(rel))[3]?.remindedAt).toBe('2030-03-09T13:00:00.000Z');
    expect((await tasksOf(other)).every((t) => t.remindedAt === null)).toBe(true);
    expect(await sweepChecklist(deps)).toEqual([]);
  });

  it('two sweeps running at once take each step exactly once', async () => {
    await escalationContact(deps, 1, 'Erin First', 'erin@example.org', null);
    await escalationContact(deps, 2, 'Gus Second', 'gus@example.org', null);
    const rels = [await newRelease('2030-03-09'), await newRelease('2030-03-09')];
    // PostgreSQL: a second connection pool, as another relman process would have. SQLite: one connection, the
    // two sweeps interleaving between their reads and their transactions (another process would wait for the write lock).
    const second = name === 'postgres' ? createDeps(open(h.scratch), clock.clock) : deps;
    try {
      // Long overdue: every task owes a reminder and two escalations.
      clock.set('2030-04-01T12:00:00.000Z');
      const [a, b] = await Promise.all([sweepChecklist(deps), sweepChecklist(second)]);
      const all = [...a, ...b].map((s) => `${s.release}/${s.task}/${s.level}`);
      expect(new Set(all).size).toBe(all.length);
      expect(all).toHaveLength(2 * TASKS.length * 3);
      const audit = (await auditEvents(deps)).filter((e) => e.action === 'checklist.remind' || e.action === 'checklist.escalate');
      expect(audit).toHaveLength(2 * TASKS.length * 3);
      const mails = await outbox(deps);
      expect(mails.filter((m) => m.template === 'checklist-reminder')).toHaveLength(2 * 3); // web-lead and database-lead have nobody
      expect(mails.filter((m) => m.template === 'checklist-escalation')).toHaveLength(2 * TASKS.length * 2);
      for (const rel of rels) {
        expect((await tasksOf(rel)).map((t) => t.escalationLevel)).toEqual([2, 2, 2, 2, 2]);
      }
      expect(await Promise.all([sweepChecklist(deps), sweepChecklist(second)])).toEqual([[], []]);
    } finally {
      if (second !== deps) await second.database.close();
    }
  });

  it('gates a transition on a checklist task in a template that asks for it', async () => {
    const rel0 = await newRelease();
    // The default template has no checklist gate.
    expect(JSON.stringify(await releaseGates(deps, lead, { name: rel0 }))).not.toContain('Checklist task');
    await publishTemplate(deps, SYSTEM_ACTOR, {
      yaml: templateYaml((doc) => {
        doc.gates.push({ id: 'notes-prepared', name: 'Release notes prepared', check: { checklistDone: 'prepare-release-notes' } });
        const start = doc.workflows[0].transitions.find((t: { id: string }) => t.id === 'start-packaging');
        start.gates.push('notes-prepared');
      }),
      changes: 'Packaging waits for the release notes',
      ...REVIEWED,
    });
    const rel = await newRelease();
    const item = await createWorkItem(deps, dev, { kind: 'IR', helpdeskRef: 'HD-1', title: 'Totals' });
    await assignWorkItem(deps, lead, { key: item.key }, { release: rel });
    const refused = await rejectsWith(
      performTransition(deps, lead, { name: rel }, { transition: 'start-packaging' }),
      GatesNotSatisfiedError,
    );
    expect(refused.unmet).toEqual(["Checklist task 'Prepare release notes' is not done"]);
    clock.advance(60_000);
    await completeTask(deps, dev, { name: rel }, 'prepare-release-notes', { note: 'on the wiki' });
    const gates = await releaseGates(deps, lead, { name: rel });
    const gate = gates.transitions.find((t) => t.id === 'start-packaging')?.gates.find((g) => g.id === 'notes-prepared');
    expect(gate).toMatchObject({
      pass: true,
      evidence: [{ what: "Checklist task 'Prepare release notes' done: on the wiki", by: 'dana', at: '2030-01-07T09:01:00.000Z' }],
    });
    await performTransition(deps, lead, { name: rel }, { transition: 'start-packaging' });
  });
});
