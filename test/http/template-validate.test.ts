import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dialects } from '../support/databases.js';
import { harness, httpApp, userWith, type Harness } from '../support/harness.js';
import { caller, expectJson, expectProblem, type Call } from '../support/http.js';

const V = '/api/v1';

describe.each(dialects)('template validation on $name', ({ name }) => {
  let h: Harness;
  let app: FastifyInstance;
  let admin: Call;
  let dev: Call;

  beforeAll(async () => {
    h = await harness(name);
    app = await httpApp(h.deps);
    admin = caller(app, (await userWith(h.deps, ['admin'], 'validate-admin')).token);
    dev = caller(app, (await userWith(h.deps, ['developer'], 'validate-dev')).token);
  });
  afterAll(async () => {
    await app?.close();
    await h?.close();
  });

  it('says which sections differ from the version in force, lists problems with their lines, and writes nothing', async () => {
    const audited = expectJson(await admin('GET', `${V}/audit?action=template.publish`), 200).items.length;
    const v1 = expectJson(await admin('GET', `${V}/templates/cms-net`), 200);
    const yaml = String(v1.yaml);
    expect(expectJson(await admin('POST', `${V}/templates/validate`, { yaml }), 200)).toEqual({
      ok: true,
      key: 'cms-net',
      inForce: 1,
      sectionsChanged: [],
    });
    const renamed = yaml.replace('name: CMS Net release management plan', 'name: CMS Net plan (revised)');
    expect(expectJson(await admin('POST', `${V}/templates/validate`, { yaml: renamed }), 200).sectionsChanged).toEqual(['name']);

    const broken = yaml.replace('initialState: draft', 'initialState: nowhere');
    const line = yaml.split('\n').findIndex((l) => l.includes('initialState: draft')) + 1;
    const refused = expectProblem(await admin('POST', `${V}/templates/validate`, { yaml: broken }), 422, 'template-invalid');
    expect(refused.errors).toContainEqual({
      path: expect.stringMatching(/^releaseTypes\[\d+\]\.initialState$/),
      message: expect.stringContaining(`(line ${line})`),
    });

    expectProblem(await dev('POST', `${V}/templates/validate`, { yaml }), 403, 'forbidden');
    expect(expectJson(await admin('GET', `${V}/templates/cms-net/versions`), 200).items).toHaveLength(1);
    expect(expectJson(await admin('GET', `${V}/audit?action=template.publish`), 200).items).toHaveLength(audited);
  });
});
