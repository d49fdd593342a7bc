import { describe, expect, it } from 'vitest';
import { runText, type Run } from '../../src/cli/commands/deploy.js';
import { cliCrew, json, ok } from '../support/cli-crew.js';
import type { CliResult } from '../support/cli-process.js';
import { dialects } from '../support/databases.js';

const ADMIN_PASSWORD = 'admin-password-for-deploy-cli';
const GO_AHEAD_MISSING = 'Go-ahead to install in acceptance test by the Change Management Coordinator is missing';
const STEP = 'install-database';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe.each(dialects)('relman deploy commands against a running server ($name)', ({ name: dialect }) => {
  const crew = cliCrew({
    dialect,
    name: 'deploy-cli',
    adminPassword: ADMIN_PASSWORD,
    users: [
      ['lead1', 'technical-lead'],
      ['cmc1', 'cmc'],
      ['db1', 'database-lead'],
      ['sam1', 'systems-analyst'],
    ],
  });
  const as = crew.as;

  /** The run's only step once the server has handed it to its people. */
  async function untilRunning(run: number): Promise<{ state: string; actions: string[] }> {
    for (let i = 0; i < 100; i++) {
      const r = await as('db1', ['deploy', 'show', 'CFIS001', String(run), '--json']);
      if (r.code === 0) {
        const step = (JSON.parse(r.stdout) as { steps: { state: string; actions: string[] }[] }).steps[0];
        if (step?.state === 'running') return step;
      }
      await sleep(100);
    }
    throw new Error(`run ${run}'s step never ran`);
  }

  it('starts a run after the go-ahead, follows it, marks, retries and shows what is installed', async () => {
    const date = new Date(Date.now() + 60 * 86_400_000).toISOString().slice(0, 10);
    ok(await as('lead1', ['release', 'create', '--type', 'scheduled', '--date', date, '--channels', 'database']));
    ok(await as('lead1', ['item', 'create', '--kind', 'IR', '--ref', 'HD-1', '--title', 'Totals are wrong']));
    ok(await as('lead1', ['item', 'attach', 'IR-1', 'CFIS001']));
    ok(await as('lead1', ['release', 'transition', 'CFIS001', 'start-packaging']));
    ok(await as('lead1', ['package', 'record', 'CFIS001', '--channel', 'database', '--label', 'CFIS001.xml']));
    ok(await as('lead1', ['step', 'record', 'CFIS001', 'verify-package', '--channel', 'database']));
    ok(await as('lead1', ['release', 'transition', 'CFIS001', 'mark-package-verified']));

    const early = await as('lead1', ['deploy', 'start', 'CFIS001', 'acceptance-test']);
    expect(early.code).toBe(6);
    expect(early.stdout).toBe('');
    expect(early.stderr.split('\n')[0]).toBe('relman: Conflict: "Deployment to Acceptance Test (AT)" is not possible yet:');
    expect(early.stderr).toMatch(new RegExp(`^  - .*: ${GO_AHEAD_MISSING}$`, 'm'));
    expect((await as('lead1', ['deploy', 'show', 'CFIS001'])).code).toBe(5);

    ok(await as('cmc1', ['release', 'approve', 'CFIS001', 'at-go-ahead']));
    expect((await as('sam1', ['deploy', 'start', 'CFIS001', 'acceptance-test'])).code).toBe(4);

    // Started and followed; the step fails while the follower watches, which ends it with exit code 6.
    const started = as('lead1', ['deploy', 'start', 'CFIS001', 'acceptance-test', '--follow']);
    expect((await untilRunning(1)).actions).toEqual(['done', 'failed']);
    const shown = ok(await as('db1', ['deploy', 'show', 'CFIS001']));
    expect(shown).toMatch(/^run\s+CFIS001 run 1 to Acceptance Test \(AT\) \(acceptance-test\)$/m);
    expect(shown).toMatch(/^packages\s+database v1 \(no file\)$/m);
    expect(shown).toMatch(new RegExp(`^1\\s+${STEP}\\s+.*\\s+database\\s+manual\\s+running\\s+-\\s+-\\s+1$`, 'm'));
    expect(shown).toContain('   instructions: Load the XML release file into the acceptance test namespace and compile it.');
    expect(shown).toContain(`   mark it: relman deploy ack CFIS001 ${STEP} --run 1 --done --note "…"`);

    expect((await as('sam1', ['deploy', 'ack', 'CFIS001', STEP, '--done'])).code).toBe(4);
    const both = await as('db1', ['deploy', 'ack', 'CFIS001', STEP, '--done', '--failed']);
    expect(both.code).toBe(2);
    expect(both.stderr).toContain('exactly one of --done and --failed');
    const noNote = await as('db1', ['deploy', 'ack', 'CFIS001', STEP, '--failed']);
    expect(noNote.code).toBe(2);
    expect(noNote.stderr).toContain('--note');
    expect((await as('db1', ['deploy', 'skip', 'CFIS001', STEP, '--reason', ' '])).code).toBe(2);
    expect(ok(await as('db1', ['deploy', 'ack', 'CFIS001', STEP, '--failed', '--note', 'compile errors']))).toBe(
      `CFIS001 run 1: ${STEP} marked failed (step failed, run failed)\n`,
    );

    const followed: CliResult = await started;
    expect(followed.code).toBe(6);
    expect(followed.stdout).toMatch(/^run\s+CFIS001 run 1 to Acceptance Test \(AT\)/m);
    expect(followed.stdout).toMatch(new RegExp(`^\\S+  ${STEP}  error: .*: marked failed by db1: compile errors$`, 'm'));
    expect(followed.stdout.trimEnd().split('\n').at(-1)).toBe('run 1 of CFIS001 to Acceptance Test (AT): failed');
    expect(followed.stderr).toContain('relman: run 1 of CFIS001 to Acceptance Test (AT) is failed');
    expect(followed.stderr).toContain(`  - ${STEP} failed: compile errors — retry: relman deploy retry CFIS001 ${STEP} --run 1`);

    expect(ok(await as('db1', ['deploy', 'retry', 'CFIS001', STEP, '--comment', 'fixed the namespace']))).toBe(
      `CFIS001 run 1: ${STEP} to be tried again (step waiting, run waiting)\n`,
    );
    await untilRunning(1);
    // Followed from the start; marked done exactly as the step's mail says, so the follower ends with exit code 0.
    const following = as('lead1', ['deploy', 'log', 'CFIS001', '--follow']);
    await sleep(300);
    ok(await as('db1', ['deploy', 'ack', 'CFIS001', STEP, '--run', '1', '--done', '--note', 'loaded and compiled', '--app', 'cms-net']));
    const log = ok(await following);
    expect(log).toMatch(/^\S+ {2}run {2}run 1 to Acceptance Test \(AT\) started by lead1/);
    expect(log).toMatch(/marked failed by db1: compile errors\n[\s\S]*to be retried, asked by db1: fixed the namespace\n/);
    expect(log).toMatch(new RegExp(`  ${STEP}  .*: marked done by db1: loaded and compiled\\n`));
    expect(log.trimEnd().split('\n').at(-1)).toMatch(/^run 1 of CFIS001 to Acceptance Test \(AT\): succeeded at \S+Z$/);

    const listed = ok(await as('lead1', ['deploy', 'list', 'CFIS001']));
    expect(listed.split('\n')[0]).toMatch(/^RUN\s+ENVIRONMENT\s+STATE\s+STARTED BY\s+STARTED AT\s+FINISHED AT$/);
    expect(listed.split('\n')[1]).toMatch(/^1\s+acceptance-test\s+succeeded\s+lead1\s+\S+Z\s+\S+Z$/);
    const run = json(await as('lead1', ['deploy', 'show', 'CFIS001', '1', '--json']));
    expect(run).toMatchObject({ number: 1, state: 'succeeded', steps: [{ step: STEP, state: 'done', by: 'db1', attempts: 2 }] });

    const lines = json(await as('lead1', ['deploy', 'log', 'CFIS001', '--json']));
    expect(lines.state).toBe('succeeded');
    expect(lines.lines).toHaveLength(log.trimEnd().split('\n').length - 1);
    expect(lines.lines[lines.lines.length - 1]).toMatchObject({ step: STEP, stream: 'info' });
    expect(ok(await as('lead1', ['deploy', 'log', 'CFIS001', '1']))).toBe(log.slice(0, log.lastIndexOf('run 1 of CFIS001')));
    // An ended run's log is followed to its end at once.
    expect(ok(await as('lead1', ['deploy', 'log', 'CFIS001', '1', '--follow']))).toBe(log);

    // A second run, printed as it starts; its failed step is skipped, so it succeeds without installing anything.
    const second = ok(await as('lead1', ['deploy', 'start', 'CFIS001', 'acceptance-test']));
    expect(second).toMatch(/^run\s+CFIS001 run 2 to Acceptance Test \(AT\) \(acceptance-test\)$/m);
    expect(second).toMatch(new RegExp(`^1\\s+${STEP}\\s+.*\\s+database\\s+manual\\s+(waiting|running)\\s`, 'm'));
    await untilRunning(2);
    ok(await as('db1', ['deploy', 'ack', 'CFIS001', STEP, '--failed', '--note', 'wrong namespace']));
    const skipped = json(await as('db1', ['deploy', 'skip', 'CFIS001', STEP, '--reason', 'installed by run 1', '--json']));
    expect(skipped).toMatchObject({ number: 2, state: 'succeeded', steps: [{ state: 'skipped', outcome: 'installed by run 1' }] });
    expect(ok(await as('lead1', ['deploy', 'list', 'CFIS001'])).split('\n')[2]).toMatch(/^2\s+acceptance-test\s+succeeded\s/);

    const envs = ok(await as('sam1', ['deploy', 'environments']));
    const at = envs.slice(envs.indexOf('Acceptance Test (AT) (acceptance-test)'));
    expect(at).toMatch(/^ {2}database\s+CFIS001\s+1\s+\S+Z\s+1$/m);
    expect(at).toMatch(new RegExp(`^ {2}CFIS001\\s+2\\s+succeeded\\s+${date}\\s+\\S+Z\\n {2}CFIS001\\s+1\\s+succeeded\\s`, 'm'));
    const installed = json(await as('sam1', ['deploy', 'environments', '--json'])).find(
      (e: { environment: string }) => e.environment === 'acceptance-test',
    ).installed;
    expect(installed).toEqual([expect.objectContaining({ channel: 'database', release: 'CFIS001', version: 1, run: 1 })]);
  });
});

describe('relman deploy show: what a step did', () => {
  const step = (over: Partial<Run['steps'][number]>): Run['steps'][number] => ({
    position: 0,
    step: 'transfer-web',
    name: 'Transfer the web packages',
    channel: 'web',
    kind: 'transfer',
    state: 'done',
    roles: ['web-lead'],
    description: null,
    instructions: null,
    command: null,
    outcome: '',
    by: 'relman',
    startedAt: '2026-12-08T10:00:00.000Z',
    finishedAt: '2026-12-08T10:01:00.000Z',
    attempts: 1,
    evidence: null,
    actions: [],
    ...over,
  });

  it('lists transferred files with their SHA-256 and how each was verified, and the exit codes of commands', () => {
    const sha = 'ab'.repeat(32);
    const text = runText({
      release: 'CFIS001',
      number: 3,
      environment: 'production',
      environmentName: 'Production',
      state: 'failed',
      packages: [{ channel: 'web', version: 2, files: [{ fileName: 'CFIS001.war', size: 2_500_000, sha256: sha }] }],
      startedBy: 'lead1',
      startedAt: '2026-12-08T10:00:00.000Z',
      finishedAt: null,
      steps: [
        step({
          outcome: '1 file(s) transferred to deploy@drop:22/srv/drop and verified',
          evidence: {
            target: 'deploy@drop:22/srv/drop',
            files: [{ name: 'CFIS001.war', size: 2_500_000, sha256: sha, verifiedBy: 'sha256sum' }],
          },
        }),
        step({
          position: 1,
          step: 'unpack',
          kind: 'target-commands',
          state: 'failed',
          outcome: 'unpack: exited with code 3',
          evidence: { commands: [{ name: 'unpack', exitCode: 3, durationMs: 1500 }] },
        }),
      ],
    });
    expect(text).toMatch(/^packages\s+web v2 \(CFIS001\.war\)$/m);
    expect(text).toContain(
      [
        '1. transfer-web',
        '   transferred to deploy@drop:22/srv/drop:',
        `     CFIS001.war  2.50 MB  SHA-256 ${sha}  verified by sha256sum`,
      ].join('\n'),
    );
    expect(text).toContain(['2. unpack', '   failed: unpack: exited with code 3', '   unpack: exit code 3 (1.5 s)'].join('\n'));
  });
});
