/** The deployment target routes of the authorization table (see authorization-table.ts for the meaning of each access). */
import { SYSTEM_ACTOR } from '../../src/services/actor.js';
import { getTarget, setTarget } from '../../src/services/deployments/targets.js';
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
