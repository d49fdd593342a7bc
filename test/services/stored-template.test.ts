import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createDeps } from '../../src/runtime.js';
import { releaseChecklist } from '../../src/services/checklist/tasks.js';
import type { ServiceDeps } from '../../src/services/deps.js';
import { releaseGates } from '../../src/services/lifecycle/transitions.js';
import { createRelease } from '../../src/services/releases.js';
import { dialects } from '../support/databases.js';
import { harness, userWith, type Harness } from '../support/harness.js';

/**
 * A template version published by an earlier relman is stored as the JSON of
 * its parse at the time: without the fields added since. Releases pinned to
 * it must keep working, with those fields' defaults.
 */
describe.each(dialects)('a template version stored by an earlier relman ($name)', ({ name }) => {
  let h: Harness;

  beforeEach(async () => {
    h = await harness(name);
  });
  afterEach(async () => h.close());

  it('is read with the defaults of fields added since; an action it does not mention is granted to nobody', async () => {
    const db = h.deps.database.kysely;
    const row = await db.selectFrom('template_versions').select(['id', 'content_json']).executeTakeFirstOrThrow();
    const json = JSON.parse(row.content_json) as {
      permissions: Record<string, string[]>;
      checklist: Record<string, unknown>[];
      approvals: Record<string, unknown>[];
    };
    delete json.permissions['checklist.waive'];
    for (const task of json.checklist) {
      delete task['requiredBefore'];
      delete task['channels'];
    }
    for (const step of json.approvals) delete step['notifyOnRequest'];
    await db
      .updateTable('template_versions')
      .set({ content_json: JSON.stringify(json) })
      .where('id', '=', row.id)
      .execute();

    // A process that has not cached the version yet, as after an upgrade.
    const deps: ServiceDeps = createDeps(h.deps.database);
    const lead = await userWith(deps, ['technical-lead', 'developer']);
    const release = await createRelease(deps, lead.actor, { type: 'scheduled', plannedDate: '2030-03-02', channels: ['database', 'web'] });
    const gates = await releaseGates(deps, lead.actor, { name: release.name });
    expect(gates.transitions.map((t) => t.id)).toContain('start-packaging');
    const tasks = await releaseChecklist(deps, { name: release.name });
    expect(tasks.tasks.every((t) => t.requiredBefore.length === 0)).toBe(true);
    const template = await deps.templates.byId(
      db,
      (await db.selectFrom('releases').select('template_version_id').executeTakeFirstOrThrow()).template_version_id,
    );
    expect(template.permissions['checklist.waive']).toEqual([]);
  });
});
