import { describe, expect, it } from 'vitest';
import { dialects } from '../support/databases.js';
import { httpCrewPerFile } from '../support/factories.js';
import { expectJson, expectProblem } from '../support/http.js';
import { V, type Crew } from '../support/lifecycle-http.js';

type Permissions = { app: string; roles: string[]; admin: boolean; actions: string[] };

describe.each(dialects)('what a user may do, for the web interface, on $name', ({ name: dialect }) => {
  let crew: Crew;
  httpCrewPerFile(dialect, (b) => ({ crew } = b));

  it('lists the template’s actions the user’s roles grant, and none to a viewer', async () => {
    const dev = expectJson<Permissions>(await crew.dev('GET', `${V}/session/permissions`), 200);
    expect(dev).toMatchObject({ app: 'cms-net', roles: ['developer'], admin: false });
    expect(dev.actions).toEqual(expect.arrayContaining(['release.create', 'package.record', 'test.record']));
    expect(dev.actions).not.toContain('checklist.waive');

    const cmc = expectJson<Permissions>(await crew.cmcA('GET', `${V}/session/permissions?app=cms-net`), 200);
    expect(cmc.actions).toEqual(expect.arrayContaining(['checklist.waive', 'blackout.override', 'calendar.manage']));
    expect(cmc.actions).not.toContain('package.record');

    expect(expectJson<Permissions>(await crew.viewer('GET', `${V}/session/permissions`), 200)).toMatchObject({ actions: [], admin: false });
  });

  it('refuses an unknown application and a stray parameter', async () => {
    expectProblem(await crew.dev('GET', `${V}/session/permissions?app=nope`), 404);
    expectProblem(await crew.dev('GET', `${V}/session/permissions?role=admin`), 400);
  });
});
