import { randomBytes } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { SYSTEM_ACTOR } from '../../src/services/actor.js';
import { releaseChecklist } from '../../src/services/checklist/tasks.js';
import { environmentsView } from '../../src/services/deployments/environments.js';
import { DeploymentExecutor } from '../../src/services/deployments/executor.js';
import { ackStep, retryStep, runLog, showRun, skipStep, startRun } from '../../src/services/deployments/runs.js';
import { setTarget } from '../../src/services/deployments/targets.js';
import { publishTemplate } from '../../src/services/templates.js';
import { ConflictError } from '../../src/domain/errors.js';
import { dialects } from '../support/databases.js';
import { crewPerTest, type Bed } from '../support/factories.js';
import { userWith } from '../support/harness.js';
import { caller } from '../support/http.js';
import { flowFor, startFlow, type Crew } from '../support/lifecycle-flow.js';
import { packagesApp, sha256, staticZip, upload, war, type PackagesApp } from '../support/packages.js';
import { auditEvents, REVIEWED, rejectsWith, templateYaml } from '../support/service-fixtures.js';
import { sshdMissing, startSshd, type Sshd } from '../support/sshd.js';

const missing = sshdMissing();
if (missing && process.env.RELMAN_REQUIRE_SSHD === '1') throw new Error(`SFTP tests cannot run: ${missing}`);
const describeSshd = missing ? describe.skip : describe;
const skipNote = missing ? ` — skipped: ${missing}` : '';
const KEY = randomBytes(32);

describeSshd.each(dialects)(`deployment runs with automatic steps on $name (OpenSSH sshd on loopback)${skipNote}`, ({ name }) => {
  let sshd: Sshd;
  let bed: Bed & { crew: Crew };
  let pk: PackagesApp;
  const executors: DeploymentExecutor[] = [];

  beforeAll(async () => {
    sshd = await startSshd();
  });
  afterAll(async () => {
    await sshd?.stop();
  });
  crewPerTest(
    name,
    async (b) => {
      bed = b;
      pk = await packagesApp(b.deps);
    },
    { secretKey: KEY },
  );
  afterEach(async () => {
    for (const ex of executors.splice(0)) await ex.stop();
    await pk?.close();
    for (const f of readdirSync(sshd.dropDir)) rmSync(path.join(sshd.dropDir, f), { force: true });
  });

  const executor = (opts: { owner?: string; leaseMs?: number } = {}) => {
    const ex = new DeploymentExecutor(bed.deps, { artifacts: pk.store, tickMs: 60_000, transferBackoffMs: 50, killGraceMs: 500, ...opts });
    executors.push(ex);
    return ex;
  };
  /** Ticks until the run's step at `position` is no longer waiting or running (the executor runs steps in the background). */
  async function settle(ex: DeploymentExecutor, release: string, run = 1): Promise<void> {
    for (let i = 0; i < 400; i++) {
      await ex.tick();
      await ex.idle();
      const v = await showRun(bed.deps, SYSTEM_ACTOR, { name: release, run });
      if (
        !v.steps.some((s) => s.state === 'running' && s.kind !== 'manual') &&
        !v.steps.some(
          (s, j) =>
            s.state === 'waiting' && v.steps.slice(0, j).every((p) => p.state === 'done' || p.state === 'skipped') && s.kind !== 'manual',
        )
      )
        return;
    }
    throw new Error('the run did not settle');
  }

  async function setWebTarget(fingerprint = sshd.hostKeyFingerprint, dir = sshd.dropDir): Promise<void> {
    const admin = (await userWith(bed.deps, ['admin'])).actor;
    const ref = { environment: 'production', channel: 'web' };
    const current = await bed.deps.database.kysely.selectFrom('deployment_targets').select('row_version').executeTakeFirst();
    await setTarget(bed.deps, admin, ref, {
      sftp: { host: '127.0.0.1', port: sshd.port, username: sshd.username, directory: dir, hostKeyFingerprint: fingerprint },
      secret: { privateKey: sshd.privateKey },
      version: current?.row_version,
    });
  }

  /** A web release approved for production with a static ZIP and a WAR uploaded. */
  async function readyWebRelease(): Promise<{ name: string; zip: Buffer; war: Buffer }> {
    const { deps, clock, crew } = bed;
    const flow = await startFlow(deps, clock, crew, { channels: ['web'] });
    await flow.transition(crew.dev, 'start-packaging');
    const uploader = await userWith(deps, ['developer']);
    const call = caller(pk.app, uploader.token);
    const zip = await staticZip();
    const warBytes = await war(1);
    expect((await upload(call, flow.name, 'web', `${flow.name}-static.zip`, zip)).statusCode).toBe(201);
    expect((await upload(call, flow.name, 'web', `${flow.name}.war`, warBytes)).statusCode).toBe(201);
    const f = flowFor(deps, clock, crew, flow.name);
    await f.step('verify-package', 'web', crew.dev);
    await f.transition(crew.dev, 'mark-package-verified');
    await f.approve('at-go-ahead');
    await f.transition(crew.lead, 'install-in-at');
    for (const i of flow.items) await f.test(i, 'acceptance-test', 'passed');
    await f.approve('at-signoff');
    await f.transition(crew.cmc, 'complete-at');
    await f.notifyAll();
    await f.approve('production-approval');
    await f.transition(crew.cmc, 'approve-for-production');
    return { name: flow.name, zip, war: warBytes };
  }

  it('transfers the ZIP and the WAR, verified, completes the checklist task with the transfer as evidence, then waits for the deployment team', async () => {
    const { deps, crew } = bed;
    await setWebTarget();
    const r = await readyWebRelease();
    const webLead = (await userWith(deps, ['web-lead'])).actor;
    const run = await startRun(deps, webLead, { name: r.name }, { environment: 'production' });
    expect(run.steps.map((s) => [s.step, s.kind, s.state])).toEqual([
      ['transfer-web', 'transfer', 'waiting'],
      ['install-web', 'manual', 'waiting'],
      ['verify-application', 'manual', 'waiting'],
    ]);
    expect(run.packages[0]?.files.map((f) => f.fileName)).toEqual([`${r.name}-static.zip`, `${r.name}.war`]);
    const ex = executor();
    await settle(ex, r.name);
    await ex.tick();
    const shown = await showRun(deps, crew.deployer, { name: r.name, run: 1 });
    expect(shown.steps[0]).toMatchObject({ state: 'done', by: 'relman (sftp)', attempts: 1 });
    const files = shown.steps[0]?.evidence?.['files'] as { name: string; sha256: string; verifiedBy: string }[];
    expect(files.map((f) => [f.name, f.sha256])).toEqual([
      [`${r.name}-static.zip`, sha256(r.zip)],
      [`${r.name}.war`, sha256(r.war)],
    ]);
    expect(files.every((f) => f.verifiedBy === 'remote-sha256sum' || f.verifiedBy === 'read-back')).toBe(true);
    expect(readFileSync(path.join(sshd.dropDir, `${r.name}.war`)).equals(r.war)).toBe(true);
    expect(readdirSync(sshd.dropDir).filter((f) => f.endsWith('.part'))).toEqual([]);
    expect(shown.steps[1]).toMatchObject({ state: 'running', actions: ['done', 'failed'] });
    expect(shown.steps[1]?.documents.map((d) => [d.task, d.status])).toEqual([
      ['prepare-release-notes', 'open'],
      ['send-release-notes', 'open'],
    ]);

    const task = (await releaseChecklist(deps, { name: r.name })).tasks.find((t) => t.task === 'transfer-web-packages');
    expect(task).toMatchObject({ status: 'done', completedBy: webLead.username });
    expect(task?.evidence?.deployment).toMatchObject({ run: 1, environment: 'production', step: 'transfer-web' });
    expect(task?.evidence?.deployment?.files?.map((f) => f.sha256)).toEqual([sha256(r.zip), sha256(r.war)]);

    const log = (await runLog(deps, { name: r.name, run: 1 }, 0, 1000)).lines.map((l) => l.line).join('\n');
    expect(log).toMatch(/connected to 127\.0\.0\.1/);
    expect(log).toMatch(/verified/);

    await ackStep(deps, crew.deployer, { name: r.name, run: 1, step: 'install-web', outcome: 'done', note: 'deployed to both servers' });
    const records = await deps.database.kysely
      .selectFrom('step_records')
      .select(['step', 'recorded_by'])
      .where('channel', '=', 'web')
      .execute();
    expect(records).toEqual(
      expect.arrayContaining([
        { step: 'deploy', recorded_by: crew.deployer.username },
        { step: 'confirm-deployment', recorded_by: crew.deployer.username },
      ]),
    );
    await ex.tick();
    const final = await ackStep(deps, crew.analyst, { name: r.name, run: 1, step: 'verify-application', outcome: 'done', note: 'ok' });
    expect(final.state).toBe('succeeded');
    const prod = (await environmentsView(deps, crew.viewer, undefined)).find((e) => e.environment === 'production');
    expect(prod?.installed).toEqual([
      expect.objectContaining({ channel: 'web', release: r.name, run: 1, files: [`${r.name}-static.zip`, `${r.name}.war`] }),
    ]);
    const actions = (await auditEvents(deps)).map((e) => e.action);
    expect(actions).toContain('checklist.complete');
  });

  it('refuses a host key that does not match: the step fails with a readable error, nothing lands, and a retry after the fix succeeds', async () => {
    const { deps, crew } = bed;
    await setWebTarget(`SHA256:${'A'.repeat(43)}`);
    const r = await readyWebRelease();
    await startRun(deps, crew.lead, { name: r.name }, { environment: 'production' });
    const ex = executor();
    await settle(ex, r.name);
    let shown = await showRun(deps, crew.lead, { name: r.name, run: 1 });
    expect(shown.state).toBe('failed');
    expect(shown.steps[0]?.state).toBe('failed');
    expect(shown.steps[0]?.outcome).toMatch(/host key/i);
    expect(existsSync(path.join(sshd.dropDir, `${r.name}.war`))).toBe(false);
    expect((await releaseChecklist(deps, { name: r.name })).tasks.find((t) => t.task === 'transfer-web-packages')?.status).toBe('open');
    await rejectsWith(ackStep(deps, crew.lead, { name: r.name, run: 1, step: 'transfer-web', outcome: 'done' }), ConflictError);

    await setWebTarget();
    await retryStep(deps, crew.lead, { name: r.name, run: 1, step: 'transfer-web', comment: 'host key recorded' });
    await settle(ex, r.name);
    shown = await showRun(deps, crew.lead, { name: r.name, run: 1 });
    expect(shown.steps[0]).toMatchObject({ state: 'done', attempts: 2 });
    expect(readFileSync(path.join(sshd.dropDir, `${r.name}.war`)).equals(r.war)).toBe(true);
  });

  it('shows a step whose process stopped as interrupted, never done, and runs it again on retry; two executors run a step once', async () => {
    const { deps, crew } = bed;
    await setWebTarget();
    const r = await readyWebRelease();
    await startRun(deps, crew.lead, { name: r.name }, { environment: 'production' });
    // A process claimed the transfer and died: its lease ran out.
    await deps.database.kysely
      .updateTable('deployment_steps')
      .set({
        state: 'running',
        lease_owner: 'gone-1234',
        lease_until: new Date(bed.clock.now().getTime() - 1000).toISOString(),
        attempts: 1,
      })
      .where('step', '=', 'transfer-web')
      .execute();
    let shown = await showRun(deps, crew.lead, { name: r.name, run: 1 });
    expect(shown.steps[0]?.state).toBe('interrupted');
    const a = executor({ owner: 'process-a' });
    const b = executor({ owner: 'process-b' });
    await Promise.all([a.tick(), b.tick()]);
    shown = await showRun(deps, crew.lead, { name: r.name, run: 1 });
    expect(shown.steps[0]).toMatchObject({ state: 'interrupted', outcome: expect.stringMatching(/stopped while the step ran/) });
    expect(shown.state).toBe('interrupted');
    await retryStep(deps, crew.lead, { name: r.name, run: 1, step: 'transfer-web' });
    await Promise.all([a.tick(), b.tick()]);
    await Promise.all([a.idle(), b.idle()]);
    await settle(a, r.name);
    shown = await showRun(deps, crew.lead, { name: r.name, run: 1 });
    expect(shown.steps[0]).toMatchObject({ state: 'done', attempts: 2 });
    const starts = (await auditEvents(deps)).filter((e) => e.action === 'deployment.step-start');
    // Once for the transfer's retry, once for the manual step: never twice for one turn.
    expect(starts).toHaveLength(2);
  });

  it('runs command steps from the template: the exit code decides, a timeout stops the process group, the last lines explain a failure', async () => {
    const { deps } = bed;
    await publishTemplate(deps, SYSTEM_ACTOR, {
      yaml: templateYaml((doc) => {
        const prod = doc.deployments.find((p: { environment: string }) => p.environment === 'production');
        prod.steps = [
          {
            id: 'announce',
            name: 'Announce the package',
            channel: 'web',
            kind: 'command',
            roles: ['web-lead'],
            command: {
              argv: [
                'sh',
                '-c',
                'echo "release $RELMAN_RELEASE web $RELMAN_PACKAGE_WEB_WAR_VERSION"; test -f "$RELMAN_PACKAGE_WEB_WAR_PATH"',
              ],
              timeoutSeconds: 10,
            },
          },
          {
            id: 'check',
            name: 'Check the servers',
            channel: 'web',
            kind: 'command',
            roles: ['web-lead'],
            command: { argv: ['sh', '-c', 'echo checking ${RELMAN_RELEASE}; echo "server 2 unreachable" >&2; exit 3'], timeoutSeconds: 10 },
          },
          {
            id: 'slow',
            name: 'A command that hangs',
            channel: 'web',
            kind: 'command',
            roles: ['web-lead'],
            command: { argv: ['sh', '-c', 'sleep 30 & sleep 30; echo never'], timeoutSeconds: 1 },
          },
        ];
      }),
      changes: 'Command steps',
      ...REVIEWED,
    });
    const r = await readyWebRelease();
    const webLead = (await userWith(deps, ['web-lead'])).actor;
    await startRun(deps, webLead, { name: r.name }, { environment: 'production' });
    const ex = executor();
    await settle(ex, r.name);
    let shown = await showRun(deps, webLead, { name: r.name, run: 1 });
    expect(shown.steps.map((s) => s.state)).toEqual(['done', 'failed', 'waiting']);
    expect(shown.steps[1]?.outcome).toMatch(/exited with code 3[\s\S]*server 2 unreachable/);
    const log = (await runLog(deps, { name: r.name, run: 1 }, 0, 1000)).lines;
    expect(log.find((l) => l.stream === 'stdout' && l.step === 'announce')?.line).toBe(`release ${r.name} web 2`);
    expect(log.some((l) => l.stream === 'stderr' && l.line === 'server 2 unreachable')).toBe(true);
    // ${RELMAN_RELEASE} in an argument comes from relman, never from a request.
    expect(log.some((l) => l.line === `checking ${r.name}`)).toBe(true);

    await rejectsWith(ackStep(deps, webLead, { name: r.name, run: 1, step: 'check', outcome: 'done' }), ConflictError);
    await skipStep(deps, webLead, { name: r.name, run: 1, step: 'check', reason: 'server 2 is retired' });
    const started = Date.now();
    await settle(ex, r.name);
    shown = await showRun(deps, webLead, { name: r.name, run: 1 });
    expect(shown.steps[2]).toMatchObject({ state: 'failed', outcome: expect.stringMatching(/timed out; its process group was stopped/) });
    expect(Date.now() - started).toBeLessThan(15_000);
  });

  it('a graceful stop stops a running command and records its step interrupted, not done; a retry runs it again', async () => {
    const { deps } = bed;
    await publishTemplate(deps, SYSTEM_ACTOR, {
      yaml: templateYaml((doc) => {
        const prod = doc.deployments.find((p: { environment: string }) => p.environment === 'production');
        prod.steps = [
          {
            id: 'long',
            name: 'A long command',
            channel: 'web',
            kind: 'command',
            roles: ['web-lead'],
            command: { argv: ['sleep', '30'], timeoutSeconds: 60 },
          },
        ];
      }),
      changes: 'A long command step',
      ...REVIEWED,
    });
    const r = await readyWebRelease();
    const webLead = (await userWith(deps, ['web-lead'])).actor;
    await startRun(deps, webLead, { name: r.name }, { environment: 'production' });
    const ex = executor();
    await ex.tick();
    expect((await showRun(deps, webLead, { name: r.name, run: 1 })).steps[0]?.state).toBe('running');
    const stopping = Date.now();
    await ex.stop();
    expect(Date.now() - stopping).toBeLessThan(10_000);
    const shown = await showRun(deps, webLead, { name: r.name, run: 1 });
    expect(shown.steps[0]).toMatchObject({ state: 'interrupted', outcome: expect.stringMatching(/stopped while the step ran/) });
    expect(shown.state).toBe('interrupted');
    const after = await retryStep(deps, webLead, { name: r.name, run: 1, step: 'long' });
    expect(after.steps[0]?.state).toBe('waiting');
  });
});
