import { describe, expect, it } from 'vitest';
import { dialects } from '../support/databases.js';
import { httpCrewPerFile, type AppBed } from '../support/factories.js';
import { expectJson, expectProblem } from '../support/http.js';
import { approve, packageAndVerify, rel, releaseWithItem, type Crew } from '../support/lifecycle-http.js';
import { DeploymentExecutor } from '../../src/services/deployments/executor.js';
import { FileArtifactStore } from '../../src/integrations/storage/artifact-store.js';
import os from 'node:os';

describe.each(dialects)('deployment routes on $name', ({ name: dialect }) => {
  let bed: AppBed & { crew: Crew };
  let release: string;
  httpCrewPerFile(dialect, async (b) => {
    bed = b;
    const { crew } = b;
    release = (
      await releaseWithItem(
        crew.lead,
        crew.lead,
        { type: 'scheduled', channels: ['database'] },
        { kind: 'IR', helpdeskRef: 'HD-9', title: 'x' },
      )
    ).name;
    await packageAndVerify(crew, release, ['database']);
  });

  it('refuses a start the workflow does not allow yet, with the unmet condition', async () => {
    const p = expectProblem(
      await bed.crew.lead('POST', rel(release, '/deployments'), { environment: 'acceptance-test' }),
      409,
      'gates-not-satisfied',
    );
    expect((p.unmet as string[]).join(' ')).toMatch(/go-ahead/i);
  });

  it('answers bad input with a problem naming the field, and takes no command from a request', async () => {
    const { lead } = bed.crew;
    const url = rel(release, '/deployments');
    expect(expectProblem(await lead('POST', url, { environment: 'nowhere' }), 422).errors?.[0]?.path).toBe('environment');
    expectProblem(await lead('POST', url, { environment: 'Not An Id' }), 400);
    expectProblem(await lead('POST', url, {}), 400);
    // Nothing of a request may become a step's argv or environment: unknown fields are refused.
    expectProblem(await lead('POST', url, { environment: 'acceptance-test', command: ['rm', '-rf', '/'] }), 400);
    expectProblem(await lead('POST', url, { environment: 'acceptance-test', env: { PATH: '/tmp' } }), 400);
    expectProblem(await lead('GET', rel(release, '/deployments/0')), 400);
    expectProblem(await lead('GET', rel(release, '/deployments/99999999999')), 400);
    expectProblem(await lead('GET', rel(release, '/deployments/7')), 404);
    expectProblem(await lead('GET', rel('CFIS999', '/deployments')), 404);
    expectProblem(await lead('GET', rel(release, '/deployments/1/log?limit=0')), 400);
    expectProblem(await lead('POST', rel(release, '/deployments/1/steps/install-database/ack'), { outcome: 'maybe' }), 400);
    expectProblem(await lead('POST', rel(release, '/deployments/1/steps/install-database/ack'), { outcome: 'done', argv: ['x'] }), 400);
    expectProblem(await lead('POST', rel(release, '/deployments/1/steps/install-database/skip'), {}), 400);
    expectProblem(await lead('POST', rel(release, '/deployments/1/steps/install-database/skip'), { reason: 'x'.repeat(5000) }), 400);
  });

  it('starts a run after the go-ahead and lets the step’s people mark it; the log and environments follow', async () => {
    const { crew } = bed;
    expectJson(await approve(crew.cmcA, release, 'at-go-ahead'), 201);
    const run = expectJson(await crew.lead('POST', rel(release, '/deployments'), { environment: 'acceptance-test' }), 201);
    expect(run).toMatchObject({ number: 1, environment: 'acceptance-test', state: 'waiting' });
    expectProblem(await crew.lead('POST', rel(release, '/deployments'), { environment: 'acceptance-test' }), 409, 'run-active');
    await new DeploymentExecutor(bed.deps, { artifacts: new FileArtifactStore(os.tmpdir()) }).tick();
    expectProblem(await crew.dbLead('POST', rel(release, '/deployments/1/steps/install-database/ack'), { outcome: 'failed' }), 422);
    expectProblem(
      await crew.viewer('POST', rel(release, '/deployments/1/steps/install-database/ack'), { outcome: 'done' }),
      403,
      'forbidden',
    );
    expectProblem(await crew.dbLead('POST', rel(release, '/deployments/1/steps/no-such-step/ack'), { outcome: 'done' }), 404);
    const done = expectJson(
      await crew.dbLead('POST', rel(release, '/deployments/1/steps/install-database/ack'), { outcome: 'done', note: 'loaded' }),
      200,
    );
    expect(done.state).toBe('succeeded');
    expectProblem(
      await crew.dbLead('POST', rel(release, '/deployments/1/steps/install-database/ack'), { outcome: 'done' }),
      409,
      'step-state',
    );
    const log = expectJson(await crew.viewer('GET', rel(release, '/deployments/1/log?after=0&limit=2')), 200);
    expect(log.lines).toHaveLength(2);
    const rest = expectJson(await crew.viewer('GET', rel(release, `/deployments/1/log?after=${log.next}`)), 200);
    expect(rest.lines[0].seq).toBe(log.next + 1);
    expect(rest.state).toBe('succeeded');
    const envs = expectJson(await crew.viewer('GET', '/api/v1/environments'), 200);
    expect(envs.map((e: { environment: string }) => e.environment)).toEqual(['development', 'acceptance-test', 'production']);
    expect(envs[1].installed[0]).toMatchObject({ channel: 'database', release, run: 1 });
    const history = expectJson(await crew.viewer('GET', rel(release, '/deployments')), 200);
    expect(history).toHaveLength(1);
  });
});
