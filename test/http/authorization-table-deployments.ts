/** The deployment target routes of the authorization table (see authorization-table.ts for the meaning of each access). */
import os from 'node:os';
import { FileArtifactStore } from '../../src/integrations/storage/artifact-store.js';
import { SYSTEM_ACTOR, type Actor } from '../../src/services/actor.js';
import { DeploymentExecutor } from '../../src/services/deployments/executor.js';
import { ackStep, startRun } from '../../src/services/deployments/runs.js';
import { getTarget, setTarget } from '../../src/services/deployments/targets.js';
import { decideApproval } from '../../src/services/lifecycle/approvals.js';
import { recordPackage, recordStep } from '../../src/services/lifecycle/evidence.js';
import { performTransition } from '../../src/services/lifecycle/transitions.js';
import { createRelease } from '../../src/services/releases.js';
import { assignWorkItem, createWorkItem } from '../../src/services/work-items.js';
import { V, type Fixtures, type Route } from './authorization-table.js';

const SFTP = {
  host: 'sftp.example.org',
  port: 22,
  username: 'deploy',
  directory: '/srv/drop',
  hostKeyFingerprint: `SHA256:${'A'.repeat(43)}`,
};

/** The version of the target at ENV/CHANNEL, or undefined when there is none. */
async function versionOf(fx: Fixtures, environment: string, channel: string): Promise<number | undefined> {
  try {
    return (await getTarget(fx.h.deps, SYSTEM_ACTOR, { environment, channel })).version;
  } catch {
    return undefined;
  }
}

/** Makes sure ENV/CHANNEL has a target (every role's request may have removed it). */
async function ensureTarget(fx: Fixtures, environment: string, channel: string): Promise<string> {
  if ((await versionOf(fx, environment, channel)) === undefined) {
    await setTarget(fx.h.deps, SYSTEM_ACTOR, { environment, channel }, { sftp: SFTP });
  }
  return `${V}/targets/${environment}/${channel}`;
}

export const DEPLOYMENT_ROUTES: Route[] = [
  { method: 'GET', url: `${V}/targets`, access: 'admin', ok: 200 },
  {
    method: 'GET',
    url: `${V}/targets/:environment/:channel`,
    access: 'admin',
    ok: 200,
    req: async (fx) => ({ url: await ensureTarget(fx, 'production', 'web') }),
  },
  {
    method: 'PUT',
    url: `${V}/targets/:environment/:channel`,
    access: 'admin',
    ok: 200,
    req: async (fx) => ({
      url: `${V}/targets/acceptance-test/web`,
      payload: { sftp: SFTP, commands: [], version: await versionOf(fx, 'acceptance-test', 'web') },
    }),
  },
  {
    method: 'DELETE',
    url: `${V}/targets/:environment/:channel`,
    access: 'admin',
    ok: 204,
    req: async (fx) => ({ url: await ensureTarget(fx, 'development', 'database') }),
  },
];

// ---------------------------------------------------------------- deployment runs

const byRole = async (fx: Fixtures, role: string): Promise<Actor> => {
  const username = fx.users.get(role)?.username ?? `role-${role}`;
  const row = await fx.h.deps.database.kysely.selectFrom('users').select('id').where('username', '=', username).executeTakeFirstOrThrow();
  return { userId: row.id, username, roles: [role] };
};

/** A database-only release at package-verified with the AT go-ahead: a run to acceptance test may start. */
async function atReadyRelease(fx: Fixtures): Promise<string> {
  const deps = fx.h.deps;
  const [lead, dev, cmc] = [await byRole(fx, 'technical-lead'), await byRole(fx, 'developer'), await byRole(fx, 'cmc')];
  const name = (await createRelease(deps, lead, { type: 'scheduled', plannedDate: '2026-04-04', channels: ['database'] })).name;
  const item = (await createWorkItem(deps, dev, { kind: 'IR', helpdeskRef: 'HD-D', title: 'to deploy' })).key;
  await assignWorkItem(deps, lead, { key: item }, { release: name });
  await performTransition(deps, dev, { name }, { transition: 'start-packaging' });
  await recordPackage(deps, dev, { name }, { channel: 'database', label: `${name}-db` });
  await recordStep(deps, dev, { name }, { step: 'verify-package', channel: 'database' });
  await performTransition(deps, dev, { name }, { transition: 'mark-package-verified' });
  await decideApproval(deps, cmc, { name }, { step: 'at-go-ahead', decision: 'approve' });
  return name;
}

/** A release with run 1 to acceptance test started; with `handed`, its manual step is handed to its people. */
async function atRun(fx: Fixtures, handed: boolean): Promise<string> {
  const name = await atReadyRelease(fx);
  await startRun(fx.h.deps, await byRole(fx, 'technical-lead'), { name }, { environment: 'acceptance-test' });
  if (handed) await new DeploymentExecutor(fx.h.deps, { artifacts: new FileArtifactStore(os.tmpdir()) }).tick();
  return name;
}

const shared = new WeakMap<Fixtures, Promise<string>>();
/** One release with a run, for the reads. */
const readRelease = (fx: Fixtures): Promise<string> => {
  let p = shared.get(fx);
  if (!p) shared.set(fx, (p = atRun(fx, true)));
  return p;
};

export const DEPLOYMENT_RUN_ROUTES: Route[] = [
  {
    method: 'GET',
    url: `${V}/releases/:name/deployments`,
    access: 'read',
    ok: 200,
    req: async (fx) => ({ url: `${V}/releases/${await readRelease(fx)}/deployments` }),
  },
  {
    method: 'POST',
    url: `${V}/releases/:name/deployments`,
    access: 'deploy:acceptance-test',
    ok: 201,
    req: async (fx) => ({ url: `${V}/releases/${await atReadyRelease(fx)}/deployments`, payload: { environment: 'acceptance-test' } }),
  },
  {
    method: 'GET',
    url: `${V}/releases/:name/deployments/:run`,
    access: 'read',
    ok: 200,
    req: async (fx) => ({ url: `${V}/releases/${await readRelease(fx)}/deployments/1` }),
  },
  {
    method: 'GET',
    url: `${V}/releases/:name/deployments/:run/log`,
    access: 'read',
    ok: 200,
    req: async (fx) => ({ url: `${V}/releases/${await readRelease(fx)}/deployments/1/log?after=0` }),
  },
  {
    method: 'POST',
    url: `${V}/releases/:name/deployments/:run/steps/:step/ack`,
    access: 'deploy-step:acceptance-test:install-database',
    ok: 200,
    req: async (fx) => ({
      url: `${V}/releases/${await atRun(fx, true)}/deployments/1/steps/install-database/ack`,
      payload: { outcome: 'done', note: 'loaded' },
    }),
  },
  {
    method: 'POST',
    url: `${V}/releases/:name/deployments/:run/steps/:step/retry`,
    access: 'deploy-step:acceptance-test:install-database',
    ok: 200,
    req: async (fx) => {
      const name = await atRun(fx, true);
      await ackStep(fx.h.deps, await byRole(fx, 'database-lead'), {
        name,
        run: 1,
        step: 'install-database',
        outcome: 'failed',
        note: 'no',
      });
      return { url: `${V}/releases/${name}/deployments/1/steps/install-database/retry`, payload: {} };
    },
  },
  {
    method: 'POST',
    url: `${V}/releases/:name/deployments/:run/steps/:step/skip`,
    access: 'deploy-step:acceptance-test:install-database',
    ok: 200,
    req: async (fx) => ({
      url: `${V}/releases/${await atRun(fx, false)}/deployments/1/steps/install-database/skip`,
      payload: { reason: 'installed by hand last night' },
    }),
  },
  { method: 'GET', url: `${V}/environments`, access: 'read', ok: 200 },
];
