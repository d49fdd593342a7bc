import { describe, expect, it } from 'vitest';
import { GatesNotSatisfiedError, ForbiddenError, ConflictError } from '../../src/domain/errors.js';
import { FileArtifactStore } from '../../src/integrations/storage/artifact-store.js';
import { DeploymentExecutor } from '../../src/services/deployments/executor.js';
import { ackStep, retryStep, runLog, showRun, skipStep, startRun } from '../../src/services/deployments/runs.js';
import { environmentsView } from '../../src/services/deployments/environments.js';
import { myWork } from '../../src/services/my-work.js';
import { createContact } from '../../src/services/contacts/contacts.js';
import { dialects } from '../support/databases.js';
import { userWith } from '../support/harness.js';
import { crewPerTest, type Bed } from '../support/factories.js';
import { startFlow, type Crew } from '../support/lifecycle-flow.js';
import { auditEvents, HOUR, rejectsWith } from '../support/service-fixtures.js';
import os from 'node:os';
import path from 'node:path';

describe.each(dialects)('deployment runs with manual steps on $name', ({ name }) => {
  let bed: Bed & { crew: Crew };
  crewPerTest(name, (b) => {
    bed = b;
  });
  const executor = () =>
    new DeploymentExecutor(bed.deps, { artifacts: new FileArtifactStore(path.join(os.tmpdir(), 'relman-unused-store')), tickMs: 60_000 });

  it('starts an AT run only after the go-ahead, hands each manual step to its people and records who did it', async () => {
    const { crew, deps } = bed;
    const flow = await startFlow(deps, bed.clock, crew, { channels: ['database'] });
    await flow.toPackageVerified();
    const ref = { name: flow.name };
    const refused = await rejectsWith(startRun(deps, crew.lead, ref, { environment: 'acceptance-test' }), GatesNotSatisfiedError);
    expect(refused.unmet.join(' ')).toMatch(/go-ahead/i);
    await flow.approve('at-go-ahead');
    await rejectsWith(startRun(deps, crew.analyst, ref, { environment: 'acceptance-test' }), ForbiddenError);
    await deps.database.kysely
      .updateTable('users')
      .set({ email: 'bill@example.org' })
      .where('username', '=', crew.dbLead.username)
      .execute();
    const run = await startRun(deps, crew.lead, ref, { environment: 'acceptance-test' });
    expect(run.number).toBe(1);
    expect(run.steps.map((s) => [s.step, s.state])).toEqual([['install-database', 'waiting']]);
    await rejectsWith(startRun(deps, crew.lead, ref, { environment: 'acceptance-test' }), ConflictError);

    const ex = executor();
    await ex.tick();
    let shown = await showRun(deps, crew.dbLead, { ...ref, run: 1 });
    expect(shown.steps[0]?.state).toBe('running');
    expect(shown.steps[0]?.actions).toEqual(['done', 'failed']);
    const waiting = (await myWork(deps, crew.dbLead, {})).deploymentSteps;
    expect(waiting).toEqual([
      expect.objectContaining({ release: flow.name, run: 1, environment: 'acceptance-test', step: 'install-database' }),
    ]);
    expect((await myWork(deps, crew.analyst, {})).deploymentSteps).toEqual([]);
    expect((await showRun(deps, crew.analyst, { ...ref, run: 1 })).steps[0]?.actions).toEqual([]);
    await rejectsWith(ackStep(deps, crew.analyst, { ...ref, run: 1, step: 'install-database', outcome: 'done' }), ForbiddenError);

    shown = await ackStep(deps, crew.dbLead, { ...ref, run: 1, step: 'install-database', outcome: 'failed', note: 'compile errors' });
    expect(shown.state).toBe('failed');
    shown = await retryStep(deps, crew.dbLead, { ...ref, run: 1, step: 'install-database', comment: 'fixed the namespace' });
    expect(shown.steps[0]?.state).toBe('waiting');
    await ex.tick();
    shown = await ackStep(deps, crew.dbLead, { ...ref, run: 1, step: 'install-database', outcome: 'done', note: 'loaded and compiled' });
    expect(shown.state).toBe('succeeded');
    expect(shown.steps[0]).toMatchObject({ state: 'done', by: crew.dbLead.username, outcome: 'loaded and compiled', attempts: 2 });

    const log = await runLog(deps, { ...ref, run: 1 }, 0, 100);
    expect(log.lines.map((l) => l.line).join('\n')).toMatch(
      /started by terry[\s\S]*waiting for[\s\S]*marked failed by bill: compile errors[\s\S]*retried[\s\S]*marked done by bill/,
    );

    const envs = await environmentsView(deps, crew.viewer, undefined);
    const at = envs.find((e) => e.environment === 'acceptance-test');
    expect(at?.installed).toEqual([expect.objectContaining({ channel: 'database', release: flow.name, run: 1 })]);
    expect(at?.history).toHaveLength(1);

    const actions = (await auditEvents(deps)).map((e) => e.action).filter((a) => a.startsWith('deployment.'));
    expect(actions).toEqual([
      'deployment.start',
      'deployment.step-start',
      'deployment.step-fail',
      'deployment.step-retry',
      'deployment.step-start',
      'deployment.step-done',
    ]);
    const mails = await deps.database.kysely
      .selectFrom('mail_outbox')
      .select(['template', 'recipients'])
      .where('template', '=', 'deployment-step')
      .execute();
    expect(mails).toHaveLength(2);
    expect(mails.every((m) => m.recipients.includes('bill@example.org'))).toBe(true);
  });

  it('skips a waiting step with a reason and a production run records the lifecycle steps a manual step stands for', async () => {
    const { crew, deps } = bed;
    const flow = await startFlow(deps, bed.clock, crew, { channels: ['database'] });
    await flow.readyForProduction();
    await flow.transition(crew.cmc, 'approve-for-production');
    const ref = { name: flow.name };
    const run = await startRun(deps, crew.dbLead, ref, { environment: 'production' });
    expect(run.steps.map((s) => s.step)).toEqual(['install-database', 'verify-application']);
    await rejectsWith(skipStep(deps, crew.dbLead, { ...ref, run: 1, step: 'verify-application', reason: ' ' }), Error);
    const ex = executor();
    await ex.tick();
    await ackStep(deps, crew.dbLead, { ...ref, run: 1, step: 'install-database', outcome: 'done', note: 'installed' });
    await ex.tick();
    const done = await ackStep(deps, crew.analyst, { ...ref, run: 1, step: 'verify-application', outcome: 'done', note: 'checked claims' });
    expect(done.state).toBe('succeeded');
    const steps = await deps.database.kysely.selectFrom('step_records').select(['step', 'channel', 'recorded_by']).execute();
    expect(steps).toEqual(
      expect.arrayContaining([
        { step: 'deploy', channel: 'database', recorded_by: 'bill' },
        { step: 'confirm-deployment', channel: 'database', recorded_by: 'bill' },
        { step: 'verify-application', channel: 'database', recorded_by: 'sam' },
      ]),
    );
  });

  it('escalates a manual step that waits too long along the escalation list, a level per period, with a mail to each level', async () => {
    const { crew, deps, clock } = bed;
    const admin = (await userWith(deps, ['admin'])).actor;
    await createContact(deps, admin, undefined, {
      kind: 'escalation',
      role: 'database-lead',
      person: 'Lee Level-One',
      email: 'one@example.org',
      order: 1,
    });
    await createContact(deps, admin, undefined, {
      kind: 'escalation',
      role: 'cmc',
      person: 'Max Level-Two',
      email: 'two@example.org',
      order: 2,
    });
    await deps.database.kysely
      .updateTable('users')
      .set({ email: 'bill@example.org' })
      .where('username', '=', crew.dbLead.username)
      .execute();
    const flow = await startFlow(deps, clock, crew, { channels: ['database'] });
    await flow.readyForProduction();
    await flow.transition(crew.cmc, 'approve-for-production');
    await startRun(deps, crew.dbLead, { name: flow.name }, { environment: 'production' });
    const ex = executor();
    await ex.tick();
    clock.advance(3 * HOUR);
    await ex.tick();
    const escalations = () =>
      deps.database.kysely
        .selectFrom('mail_outbox')
        .select(['recipients', 'subject'])
        .where('template', '=', 'deployment-step-escalation')
        .orderBy('created_at')
        .execute();
    expect(await escalations()).toHaveLength(0);
    clock.advance(1 * HOUR + 1000);
    await ex.tick();
    await ex.tick();
    let sent = await escalations();
    expect(sent).toHaveLength(1);
    expect(sent[0]?.recipients).toContain('one@example.org');
    expect(sent[0]?.recipients).toContain('bill@example.org');
    expect(sent[0]?.subject).toMatch(/escalation level 1/);
    clock.advance(4 * HOUR);
    await ex.tick();
    clock.advance(4 * HOUR);
    await ex.tick();
    sent = await escalations();
    // Two levels on the list: two escalations, no more.
    expect(sent).toHaveLength(2);
    expect(sent[1]?.recipients).toContain('two@example.org');
    const shown = await showRun(deps, crew.dbLead, { name: flow.name, run: 1 });
    expect(shown.steps[0]).toMatchObject({ state: 'running', escalationLevel: 2 });
    const log = (await runLog(deps, { name: flow.name, run: 1 }, 0, 100)).lines.map((l) => l.line);
    expect(log.filter((l) => /escalated to level/.test(l))).toHaveLength(2);
    const events = (await auditEvents(deps)).filter((e) => e.action === 'deployment.step-escalate');
    expect(events).toHaveLength(2);
  });

  it('refuses a run the plan cannot carry: no package file for a transfer, no target', async () => {
    const { crew, deps } = bed;
    const flow = await startFlow(deps, bed.clock, crew, { channels: ['web'] });
    await flow.readyForProduction();
    await flow.transition(crew.cmc, 'approve-for-production');
    const err = await rejectsWith(startRun(deps, crew.lead, { name: flow.name }, { environment: 'production' }), ConflictError);
    expect(err.code).toBe('deployment-not-ready');
    expect(err.message).toMatch(
      /no deployment target for production\/web; an administrator sets it with: relman target set production web/,
    );
    expect(err.message).toMatch(/no web package file has been uploaded/);
    expect(await deps.database.kysely.selectFrom('deployment_runs').selectAll().execute()).toEqual([]);
  });
});
