import { createHash } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ServiceDeps } from '../../src/services/deps.js';
import { sweepChecklist } from '../../src/services/checklist/sweep.js';
import { dialects } from '../support/databases.js';
import { harness, httpApp, userWith, type Harness } from '../support/harness.js';
import { caller, expectJson, expectProblem, type Call } from '../support/http.js';
import { manualClock, type ManualClock } from '../support/service-fixtures.js';

const V = '/api/v1';

describe.each(dialects)('checklist routes ($name)', ({ name }) => {
  let h: Harness;
  let deps: ServiceDeps;
  let app: FastifyInstance;
  let clock: ManualClock;
  let lead: Call;
  let dev: Call;
  let viewer: Call;
  let release: string;

  beforeAll(async () => {
    clock = manualClock('2030-01-07T09:00:00.000Z');
    h = await harness(name, clock.clock);
    deps = h.deps;
    app = await httpApp(deps);
    lead = caller(app, (await userWith(deps, ['technical-lead'], 'terry')).token);
    dev = caller(app, (await userWith(deps, ['developer'], 'dana')).token);
    viewer = caller(app, (await userWith(deps, ['viewer'], 'vera')).token);
    release = expectJson(
      await lead('POST', `${V}/releases`, { type: 'scheduled', plannedDate: '2030-03-09', channels: ['database', 'web'] }),
      201,
    ).name;
  });
  afterAll(async () => {
    await app.close();
    await h.close();
  });

  const rel = (rest: string) => `${V}/releases/${release}${rest}`;

  it('shows the checklist with due dates, responsible roles and milestones', async () => {
    const c = expectJson(await viewer('GET', rel('/checklist')), 200);
    expect(c).toMatchObject({
      release,
      plannedDate: '2030-03-09',
      timeZone: 'America/New_York',
      reminderTime: '08:00',
      escalationDelayHours: 24,
    });
    expect(c.milestones).toEqual([
      { id: 'uat-start', name: 'User acceptance testing starts', date: '2030-03-02', set: false, setBy: null, setAt: null },
    ]);
    expect(c.tasks.map((t: { task: string; due: string }) => `${t.task} ${t.due}`)).toEqual([
      'inform-deployment-team 2030-02-23',
      'prepare-release-notes 2030-03-02',
      'send-release-notes 2030-03-08',
      'transfer-web-packages 2030-03-08',
      'back-up-databases 2030-03-09',
    ]);
    expect(c.tasks[1]).toMatchObject({
      responsible: [{ role: 'developer', name: 'Lead Developer / Developer', people: [{ name: 'dana', email: null }] }],
      status: 'open',
      overdue: false,
      version: 1,
    });
    expectProblem(await viewer('GET', `${V}/releases/NOPE999/checklist`), 404, 'not-found');
  });

  it('completes, skips and reopens tasks, refusing bad input with problems', async () => {
    const bad = expectProblem(await dev('POST', rel('/checklist/prepare-release-notes/complete'), { note: '', link: 'ftp://x' }), 400);
    expect(bad.errors?.map((e) => e.path).sort()).toEqual(['link', 'note']);
    expectProblem(await dev('POST', rel('/checklist/prepare-release-notes/complete'), { note: 'x', extra: 1 }), 400);
    expectProblem(await dev('POST', rel('/checklist/prepare-release-notes/complete'), { note: 'x', mailId: 'not-a-uuid' }), 400);
    const unknownMail = expectProblem(
      await dev('POST', rel('/checklist/prepare-release-notes/complete'), { note: 'x', mailId: '00000000-0000-4000-8000-000000000000' }),
      422,
    );
    expect(unknownMail.errors?.map((e) => e.path)).toEqual(['mailId']);
    expectProblem(await dev('POST', rel('/checklist/send-release-notes/complete'), { note: 'x' }), 403, 'forbidden');
    expectProblem(await viewer('POST', rel('/checklist/prepare-release-notes/complete'), { note: 'x' }), 403, 'forbidden');
    expectProblem(await dev('POST', rel('/checklist/no-such-task/complete'), { note: 'x' }), 404, 'not-found');

    const done = expectJson(
      await dev('POST', rel('/checklist/prepare-release-notes/complete'), {
        note: 'on the wiki',
        link: 'https://wiki.example.org/n',
        version: 1,
      }),
      200,
    );
    expect(done).toMatchObject({
      status: 'done',
      note: 'on the wiki',
      completedBy: 'dana',
      evidence: { link: 'https://wiki.example.org/n' },
      version: 2,
    });
    expectProblem(await dev('POST', rel('/checklist/prepare-release-notes/complete'), { note: 'again' }), 409, 'task-not-open');
    expectProblem(await dev('POST', rel('/checklist/prepare-release-notes/reopen'), { reason: 'x', version: 1 }), 409, 'stale-version');
    expectProblem(await dev('POST', rel('/checklist/prepare-release-notes/reopen'), { reason: ' ' }), 400);
    expect(expectJson(await dev('POST', rel('/checklist/prepare-release-notes/reopen'), { reason: 'notes changed' }), 200)).toMatchObject({
      status: 'open',
      note: 'notes changed',
    });
    expect(expectJson(await lead('POST', rel('/checklist/transfer-web-packages/skip'), { reason: 'no web channel' }), 200)).toMatchObject({
      status: 'skipped',
    });
  });

  it('sets a milestone date, moving the tasks due relative to it', async () => {
    expectProblem(await lead('PUT', rel('/milestones/uat-start'), { date: '2030-02-30' }), 400);
    expectProblem(await lead('PUT', rel('/milestones/nope'), { date: '2030-03-01' }), 404, 'not-found');
    expectProblem(await viewer('PUT', rel('/milestones/uat-start'), { date: '2030-03-01' }), 403, 'forbidden');
    const c = expectJson(await lead('PUT', rel('/milestones/uat-start'), { date: '2030-03-04' }), 200);
    expect(c.milestones[0]).toMatchObject({ date: '2030-03-04', set: true, setBy: 'terry' });
    expect(c.tasks[1]).toMatchObject({ task: 'prepare-release-notes', due: '2030-03-04' });
  });

  it('lists open tasks across releases: mine, overdue, of one release; reminders show', async () => {
    const mine = expectJson(await dev('GET', `${V}/checklist?mine=true`), 200);
    expect(mine.map((t: { task: string }) => t.task)).toEqual(['prepare-release-notes']);
    expect(expectJson(await dev('GET', `${V}/checklist?overdue=true`), 200)).toEqual([]);
    expectProblem(await dev('GET', `${V}/checklist?mine=yes`), 400);

    clock.set('2030-03-09T13:00:00.000Z');
    await sweepChecklist(deps);
    const overdue = expectJson(await lead('GET', `${V}/checklist?overdue=true&release=${release}`), 200);
    expect(overdue.map((t: { task: string; overdue: boolean }) => [t.task, t.overdue])).toEqual([
      ['inform-deployment-team', true],
      ['prepare-release-notes', true],
      ['send-release-notes', true],
    ]);
    expect(overdue[2]).toMatchObject({
      remindedAt: '2030-03-09T13:00:00.000Z',
      reminderDueAt: '2030-03-09T13:00:00.000Z',
      escalationLevel: 0,
    });
    const leadMine = expectJson(await lead('GET', `${V}/checklist?mine=true&overdue=true`), 200);
    expect(leadMine.map((t: { task: string }) => t.task)).toEqual(['inform-deployment-team', 'send-release-notes']);
  });

  it('stores an evidence file and serves it back with its checksum', async () => {
    const url = rel('/checklist/back-up-databases/evidence/backup%20log.txt');
    const bytes = Buffer.from('pg_dump finished 2030-03-09 06:12\n');
    expectProblem(await viewer('PUT', url, bytes, { 'content-type': 'application/octet-stream' }), 403, 'forbidden');
    expectProblem(await lead('PUT', url, { a: 1 }), 415);
    expectProblem(await lead('PUT', url, Buffer.alloc(0), { 'content-type': 'application/octet-stream' }), 422);
    const t = expectJson(await lead('PUT', url, bytes, { 'content-type': 'application/octet-stream' }), 200);
    const sha256 = createHash('sha256').update(bytes).digest('hex');
    expect(t.evidence).toEqual({ fileName: 'backup log.txt', sha256, size: bytes.length });
    const res = await viewer('GET', url);
    expect(res.statusCode).toBe(200);
    expect(res.headers['x-checksum-sha256']).toBe(sha256);
    expect(res.headers['content-disposition']).toBe('attachment; filename="backup_log.txt"');
    expect(res.rawPayload.equals(bytes)).toBe(true);
    expectProblem(await viewer('GET', rel('/checklist/back-up-databases/evidence/other.txt')), 404, 'not-found');
    // Completing keeps the file beside the note.
    const done = expectJson(await lead('POST', rel('/checklist/back-up-databases/complete'), { note: 'backed up' }), 200);
    expect(done.evidence).toEqual({ fileName: 'backup log.txt', sha256, size: bytes.length });
  });

  it('shows the evidence of a task a deployment step completed: its run and the files it transferred', async () => {
    // What completeTaskWithin stores when the transfer step of a deployment run completes the task.
    const deployment = {
      run: 1,
      environment: 'production',
      step: 'transfer-web',
      target: 'deploy@web1:22/drop',
      files: [{ name: 'CMSNET.war', size: 1234, sha256: 'a'.repeat(64), verifiedBy: 'remote-sha256sum' }],
    };
    const row = await deps.database.kysely
      .selectFrom('checklist_tasks')
      .innerJoin('releases', 'releases.id', 'checklist_tasks.release_id')
      .select('checklist_tasks.id')
      .where('releases.name', '=', release)
      .where('checklist_tasks.task_id', '=', 'transfer-web-packages')
      .executeTakeFirstOrThrow();
    await deps.database.kysely
      .updateTable('checklist_tasks')
      .set({ status: 'done', note: 'Done by deployment run 1', evidence: JSON.stringify({ deployment }), completed_by: 'terry' })
      .where('id', '=', row.id)
      .execute();
    const c = expectJson(await viewer('GET', rel('/checklist')), 200);
    const task = c.tasks.find((t: { task: string }) => t.task === 'transfer-web-packages');
    expect(task).toMatchObject({ status: 'done', evidence: { deployment } });
  });

  it('is documented in the OpenAPI document', async () => {
    const doc = expectJson(await app.inject({ method: 'GET', url: `${V}/openapi.json` }), 200);
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining([
        `${V}/releases/{name}/checklist`,
        `${V}/releases/{name}/checklist/{task}/complete`,
        `${V}/releases/{name}/milestones/{milestone}`,
        `${V}/checklist`,
      ]),
    );
  });
});
