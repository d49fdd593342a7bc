import { describe, expect, it } from 'vitest';
import { ConflictError, ForbiddenError, GatesNotSatisfiedError, ValidationError } from '../../src/domain/errors.js';
import { completeTask, releaseChecklist, skipTask, waiveTask } from '../../src/services/checklist/tasks.js';
import type { ServiceDeps } from '../../src/services/deps.js';
import { releaseEvidence } from '../../src/services/lifecycle/evidence-read.js';
import { performTransition, releaseHistory } from '../../src/services/lifecycle/transitions.js';
import { getRelease } from '../../src/services/releases.js';
import { dialects } from '../support/databases.js';
import { crewPerTest } from '../support/factories.js';
import { startFlow, type Crew, type Flow } from '../support/lifecycle-flow.js';
import { auditEvents, lastAuditSeq, rejectsWith, type ManualClock } from '../support/service-fixtures.js';

const BACKUP = "Checklist task 'Back up the databases'";

describe.each(dialects)('checklist tasks tied to transitions ($name)', ({ name }) => {
  let deps: ServiceDeps, clock: ManualClock, crew: Crew, f: Flow;

  crewPerTest(name, async (b) => {
    ({ deps, clock, crew } = b);
    f = await startFlow(deps, clock, crew, { channels: ['database'] });
    await f.readyForProduction();
    await f.transition(crew.cmc, 'approve-for-production');
  });

  it('the backup holds up the deployment until it is done or the CMC waives it with a reason, which is recorded', async () => {
    // A database-only release has no web transfer to wait for.
    expect((await releaseChecklist(deps, { name: f.name })).tasks.map((t) => t.task)).not.toContain('transfer-web-packages');
    const refused = await rejectsWith(
      performTransition(deps, crew.deployer, { name: f.name }, { transition: 'start-deployment' }),
      GatesNotSatisfiedError,
    );
    expect(refused.unmet).toEqual([`${BACKUP} is not done`]);

    const input = { transition: 'start-deployment', reason: 'the backup runs in the deployment window' };
    expect(
      (await rejectsWith(waiveTask(deps, crew.lead, { name: f.name }, 'back-up-databases', input), ForbiddenError)).allowedRoles,
    ).toEqual(['cmc']);
    const problems = await rejectsWith(
      waiveTask(deps, crew.cmc, { name: f.name }, 'back-up-databases', { transition: 'confirm-deployment', reason: ' ' }),
      ValidationError,
    );
    expect(problems.problems.map((p) => p.path)).toEqual(['reason', 'transition']);

    const seq = await lastAuditSeq(deps);
    clock.advance(60_000);
    const waived = await waiveTask(deps, crew.cmc, { name: f.name }, 'back-up-databases', input);
    const at = clock.now().toISOString();
    const text = `waived by carol at ${at}: the backup runs in the deployment window`;
    expect(waived.status).toBe('open');
    expect(waived.waivers).toEqual([
      {
        transition: 'start-deployment',
        transitionName: 'Start the production deployment',
        reason: input.reason,
        waivedBy: 'carol',
        waivedAt: at,
        text,
      },
    ]);
    const [event] = await auditEvents(deps, seq);
    expect(event).toMatchObject({
      action: 'checklist.waive',
      actor: 'carol',
      subject: `release:cms-net/${f.name}`,
      after: {
        task: 'back-up-databases',
        title: 'Back up the databases',
        transition: 'start-deployment',
        reason: input.reason,
        waivedBy: 'carol',
        waivedAt: at,
      },
    });
    expect((await rejectsWith(waiveTask(deps, crew.cmc, { name: f.name }, 'back-up-databases', input), ConflictError)).code).toBe(
      'already-waived',
    );

    await f.transition(crew.deployer, 'start-deployment');
    const started = (await releaseHistory(deps, { name: f.name })).at(-1);
    expect(started?.evidence.exceptions).toEqual([`checklist task 'Back up the databases' ${text}`]);
    expect((await releaseEvidence(deps, { name: f.name })).checklistWaivers).toEqual([
      expect.objectContaining({ task: 'back-up-databases', transition: 'start-deployment', waivedBy: 'carol', text }),
    ]);
    const transition = (await auditEvents(deps, seq)).find((e) => e.action === 'release.transition');
    expect(transition?.after.exceptions).toEqual([`checklist task 'Back up the databases' ${text}`]);
  });

  it('signs off only with every task done, and a task completed after the sign-off is kept, marked late', async () => {
    await waiveTask(deps, crew.cmc, { name: f.name }, 'back-up-databases', { transition: 'start-deployment', reason: 'taken tonight' });
    clock.advance(60_000);
    await waiveTask(deps, crew.cmc, { name: f.name }, 'back-up-databases', { transition: 'sign-off', reason: 'the log comes later' });
    await f.transition(crew.deployer, 'start-deployment');
    for (const step of ['deploy', 'confirm-deployment']) await f.step(step, 'database', crew.dbLead);
    await f.transition(crew.deployer, 'confirm-deployment');
    await f.step('verify-application', 'database', crew.analyst);
    await f.transition(crew.analyst, 'verify-in-production');
    await f.approve('final-signoff', crew.cmc, ['requirements-addressed', 'implementation-succeeded']);
    const open = await rejectsWith(performTransition(deps, crew.cmc, { name: f.name }, { transition: 'sign-off' }), GatesNotSatisfiedError);
    expect(open.unmet).toEqual(
      [
        'Inform the deployment team about the release and where its packages are',
        'Prepare release notes',
        'Send release notes to the deployment team',
      ].map((t) => `Checklist task '${t}' is not done`),
    );
    for (const task of ['inform-deployment-team', 'prepare-release-notes', 'send-release-notes']) await f.complete(task);
    await f.transition(crew.cmc, 'sign-off');
    expect((await getRelease(deps, { name: f.name })).state).toBe('signed-off');

    // The backup evidence arrives after the sign-off: still recorded, marked late; other changes stay refused.
    const history = await releaseHistory(deps, { name: f.name });
    const performed = (id: string) => history.find((t) => t.transition === id)?.performedAt;
    clock.advance(60_000);
    const done = await completeTask(deps, crew.dbLead, { name: f.name }, 'back-up-databases', { note: 'backup log attached' });
    expect(done).toMatchObject({ status: 'done', completedBy: 'bill' });
    expect(done.lateAfter).toEqual([
      { transition: 'start-deployment', name: 'Start the production deployment', performedAt: performed('start-deployment') },
      { transition: 'sign-off', name: 'Sign the release off', performedAt: performed('sign-off') },
    ]);
    const [event] = (await auditEvents(deps)).filter((e) => e.action === 'checklist.complete').slice(-1);
    expect(event?.after).toMatchObject({ task: 'back-up-databases', status: 'done', lateAfter: ['start-deployment', 'sign-off'] });
    const view = (await releaseChecklist(deps, { name: f.name })).tasks.find((t) => t.task === 'back-up-databases');
    expect(view?.waivers.map((w) => w.transition)).toEqual(['start-deployment', 'sign-off']);
    expect(view?.lateAfter.map((x) => x.transition)).toEqual(['start-deployment', 'sign-off']);
    const closed = await rejectsWith(skipTask(deps, crew.cmc, { name: f.name }, 'back-up-databases', { reason: 'x' }), ConflictError);
    expect(closed.code).toBe('release-closed');
  });
});
