import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ConflictError, ForbiddenError, NotFoundError, StaleVersionError, ValidationError } from '../../src/domain/errors.js';
import { SYSTEM_ACTOR, type Actor } from '../../src/services/actor.js';
import type { ServiceDeps } from '../../src/services/deps.js';
import { createRelease, getRelease } from '../../src/services/releases.js';
import { updateUser } from '../../src/services/users.js';
import {
  assignWorkItem,
  createWorkItem,
  getWorkItem,
  listWorkItemViews,
  updateWorkItem,
  type CreateWorkItemInput,
  type ListWorkItemsInput,
} from '../../src/services/work-items.js';
import { dialects } from '../support/databases.js';
import { harness, userWith, type Harness } from '../support/harness.js';
import { auditEvents, lastAuditSeq, rejectsWith, releaseInput, rowCount } from '../support/service-fixtures.js';

describe.each(dialects)('work items ($name)', ({ name }) => {
  let h: Harness;
  let deps: ServiceDeps;
  let dev: Actor;
  let lead: Actor;

  beforeEach(async () => {
    h = await harness(name);
    deps = h.deps;
    dev = (await userWith(deps, ['developer'], 'dana')).actor;
    lead = (await userWith(deps, ['technical-lead'], 'terry')).actor;
  });
  afterEach(async () => h.close());

  const item = (over: Partial<CreateWorkItemInput> = {}, actor: Actor = dev) =>
    createWorkItem(deps, actor, { kind: 'IR', helpdeskRef: 'HD-1', title: 'An item', ...over });
  const release = async () => (await createRelease(deps, lead, releaseInput())).name;
  const assign = (key: string, release: string | null, extra: { move?: boolean; expectedVersion?: number } = {}) =>
    assignWorkItem(deps, lead, { key }, { release, ...extra });

  it('creates IR, SMCR and DR items with their elements', async () => {
    const ir = await item({
      helpdeskRef: 'HD-4711',
      title: 'Eligibility screen rejects valid dates',
      description: 'Reported by the Richmond office',
      owner: 'dana',
      priority: 'high',
      elements: [
        { type: 'class', name: 'CMS.Eligibility' },
        { type: 'routine', name: 'ELIGCHK' },
        { type: 'web-file', name: 'eligibility/form.jsp' },
      ],
    });
    expect(ir).toMatchObject({
      key: 'IR-1',
      number: 1,
      application: 'cms-net',
      kind: 'IR',
      helpdeskRef: 'HD-4711',
      title: 'Eligibility screen rejects valid dates',
      description: 'Reported by the Richmond office',
      owner: 'dana',
      priority: 'high',
      release: null,
      createdBy: 'dana',
      version: 1,
    });
    expect(ir.elements).toEqual([
      { type: 'class', name: 'CMS.Eligibility' },
      { type: 'routine', name: 'ELIGCHK' },
      { type: 'web-file', name: 'eligibility/form.jsp' },
    ]);
    const smcr = await item({ kind: 'SMCR', elements: [{ type: 'global', name: '^CMSCFG' }] });
    const dr = await item({ kind: 'DR', title: 'Repair duplicate claims' });
    // Each kind is numbered on its own.
    expect([smcr.key, dr.key, smcr.number, dr.number]).toEqual(['SMCR-1', 'DR-1', 1, 1]);
    expect((await item({ title: 'A second incident' })).key).toBe('IR-2');
    // No priority given: the template's middle one; no owner: none.
    expect(dr).toMatchObject({ priority: 'medium', owner: null, elements: [], description: '' });

    expect(await getWorkItem(deps, { key: 'IR-1' })).toEqual({ ...ir, tests: [] });
    expect((await getWorkItem(deps, { key: 'smcr-1' })).key).toBe('SMCR-1');
    expect((await getWorkItem(deps, { key: '2' })).key).toBe('IR-2');
    // A number alone names an item only when one kind has it.
    const ambiguous = await rejectsWith(getWorkItem(deps, { key: '1' }), ValidationError);
    expect(ambiguous.problems).toEqual([{ path: 'item', message: '"1" is the number of IR-1, SMCR-1, DR-1; give the kind, e.g. IR-1' }]);
    await rejectsWith(getWorkItem(deps, { key: 'DR-2' }), NotFoundError);
    await rejectsWith(getWorkItem(deps, { key: 'IR-99' }), NotFoundError);
    await rejectsWith(getWorkItem(deps, { key: 'not a key' }), ValidationError);
  });

  it('refuses an unknown kind, priority or element type, listing every problem, and burns no number', async () => {
    const err = await rejectsWith(
      item({
        kind: 'BUG',
        priority: 'urgent',
        owner: 'nobody',
        elements: [
          { type: 'class', name: 'A.B' },
          { type: 'jar', name: 'lib.jar' },
          { type: 'class', name: 'A.B' },
        ],
      }),
      ValidationError,
    );
    expect(err.problems.map((p) => p.path)).toEqual(['kind', 'priority', 'elements[1].type', 'elements[2]', 'owner']);
    expect(err.problems[0]?.message).toContain('unknown work item kind "BUG"; one of: IR, SMCR, DR');
    expect(err.problems[1]?.message).toContain('unknown priority "urgent"');
    expect(err.problems[2]?.message).toContain('unknown element type "jar"');
    expect(err.problems[3]?.message).toContain('listed twice');
    expect(err.problems[4]?.message).toBe('no active user "nobody"');

    const viewer = (await userWith(deps, ['viewer'])).actor;
    expect((await rejectsWith(item({}, viewer), ForbiddenError)).action).toBe('item.create');
    expect(await rowCount(deps, 'work_items')).toBe(0);
    expect((await item()).key).toBe('IR-1');
  });

  it('an owner must be an existing, active user', async () => {
    await userWith(deps, ['developer'], 'olga');
    expect((await item({ owner: 'olga' })).owner).toBe('olga');
    await updateUser(deps, SYSTEM_ACTOR, 'olga', { disabled: true });
    const disabled = await rejectsWith(item({ owner: 'olga' }), ValidationError);
    expect(disabled.problems).toEqual([{ path: 'owner', message: 'no active user "olga"' }]);

    const upd = await rejectsWith(updateWorkItem(deps, dev, { key: 'IR-1' }, { owner: 'ghost' }), ValidationError);
    expect(upd.problems).toEqual([{ path: 'owner', message: 'no active user "ghost"' }]);
    expect((await updateWorkItem(deps, dev, { key: 'IR-1' }, { owner: 'dana' })).owner).toBe('dana');
    expect((await updateWorkItem(deps, dev, { key: 'IR-1' }, { owner: null })).owner).toBeNull();
  });

  it('attaches, refuses a second release without move, moves and detaches', async () => {
    const [r1, r2] = [await release(), await release()];
    await item();

    const attached = await assign('IR-1', r1);
    expect(attached).toMatchObject({ release: 'CFIS001', version: 2 });
    const again = await rejectsWith(assign('IR-1', r1), ConflictError);
    expect(again.code).toBe('already-assigned');
    const elsewhere = await rejectsWith(assign('IR-1', r2), ConflictError);
    expect(elsewhere.code).toBe('already-assigned');
    expect(elsewhere.message).toContain('already in CFIS001');
    expect((await getWorkItem(deps, { key: 'IR-1' })).release).toBe('CFIS001');

    const moved = await assign('IR-1', r2, { move: true });
    expect(moved).toMatchObject({ release: 'CFIS002', version: 3 });
    expect((await getRelease(deps, { name: r1 })).items).toEqual([]);
    expect((await getRelease(deps, { name: r2 })).items.map((i) => i.key)).toEqual(['IR-1']);

    const detached = await assign('IR-1', null);
    expect(detached).toMatchObject({ release: null, version: 4 });
    expect((await rejectsWith(assign('IR-1', null), ConflictError)).code).toBe('not-assigned');
    await rejectsWith(assign('IR-1', 'CFIS404'), NotFoundError);
    const devAssign = await rejectsWith(assignWorkItem(deps, dev, { key: 'IR-1' }, { release: r1 }), ForbiddenError);
    expect(devAssign.allowedRoles).toEqual(['cmc', 'technical-lead', 'admin']);

    const actions = (await auditEvents(deps)).filter((e) => e.subject === 'item:cms-net/IR-1').map((e) => e.action);
    expect(actions).toEqual(['item.create', 'item.attach', 'item.move', 'item.detach']);
  });

  it('does not move items into or out of a closed release', async () => {
    const [r1, r2] = [await release(), await release()];
    await item();
    await item();
    await assign('IR-1', r1);
    await deps.database.kysely.updateTable('releases').set({ state: 'closed' }).where('name', '=', r1).execute();
    expect((await rejectsWith(assign('IR-1', r2, { move: true }), ConflictError)).code).toBe('release-closed');
    expect((await rejectsWith(assign('IR-1', null), ConflictError)).code).toBe('release-closed');
    expect((await rejectsWith(assign('IR-2', r1), ConflictError)).code).toBe('release-closed');
    expect((await getWorkItem(deps, { key: 'IR-1' })).release).toBe('CFIS001');
    expect((await getWorkItem(deps, { key: 'IR-2' })).release).toBeNull();
  });

  it('an item is never in two releases, even when two people assign it at once', async () => {
    const [r1, r2] = [await release(), await release()];
    await item();
    const before = await lastAuditSeq(deps);
    const outcomes = await Promise.allSettled([assign('IR-1', r1), assign('IR-1', r2)]);
    const won = outcomes.filter((o) => o.status === 'fulfilled');
    const lost = outcomes.filter((o): o is PromiseRejectedResult => o.status === 'rejected');
    expect(won).toHaveLength(1);
    expect(lost).toHaveLength(1);
    expect(lost[0]?.reason instanceof ConflictError || lost[0]?.reason instanceof StaleVersionError).toBe(true);

    const rows = await deps.database.kysely.selectFrom('work_items').select(['release_id', 'row_version']).execute();
    expect(rows).toHaveLength(1);
    expect(rows[0]?.row_version).toBe(2);
    const inR1 = (await getRelease(deps, { name: r1 })).items.length;
    const inR2 = (await getRelease(deps, { name: r2 })).items.length;
    expect(inR1 + inR2).toBe(1);
    expect((await auditEvents(deps, before)).map((e) => e.action)).toEqual(['item.attach']);
  });

  it('refuses an update or assignment based on a stale version', async () => {
    const r1 = await release();
    await item({ title: 'v1' });
    const v2 = await updateWorkItem(deps, dev, { key: 'IR-1' }, { title: 'v2', priority: 'low', expectedVersion: 1 });
    expect(v2).toMatchObject({ title: 'v2', priority: 'low', version: 2 });

    const stale = await rejectsWith(updateWorkItem(deps, dev, { key: 'IR-1' }, { title: 'lost', expectedVersion: 1 }), StaleVersionError);
    expect(stale).toMatchObject({ entity: 'work item', expected: 1, actual: 2 });
    await rejectsWith(assign('IR-1', r1, { expectedVersion: 1 }), StaleVersionError);
    const bad = await rejectsWith(updateWorkItem(deps, dev, { key: 'IR-1' }, { priority: 'whenever' }), ValidationError);
    expect(bad.problems.map((p) => p.path)).toEqual(['priority']);

    const now = await getWorkItem(deps, { key: 'IR-1' });
    expect(now).toMatchObject({ title: 'v2', priority: 'low', release: null, version: 2 });
    expect((await assign('IR-1', r1, { expectedVersion: 2 })).version).toBe(3);
  });

  it('lists by kind, release, no release, owner and literal text', async () => {
    await userWith(deps, ['developer'], 'alice');
    const r1 = await release();
    await release();
    await item({ title: 'CPU at 100% on report', helpdeskRef: 'HD-100', owner: 'alice' }); // IR-1
    await item({ kind: 'SMCR', title: 'Rename field_name column', helpdeskRef: 'CR-7' }); // SMCR-1
    await item({ kind: 'DR', title: 'Repair fieldXname and 100 rows', helpdeskRef: 'HD-200', owner: 'alice' }); // DR-1
    await item({ kind: 'IR', title: 'Login page typo', helpdeskRef: 'hd-300' }); // IR-2
    await assign('IR-1', r1);
    await assign('DR-1', r1);

    const keys = async (f: Partial<ListWorkItemsInput>) => {
      const res = await listWorkItemViews(deps, { limit: 50, offset: 0, ...f });
      return { keys: res.items.map((i) => i.key), total: res.total };
    };
    expect(await keys({})).toEqual({ keys: ['IR-1', 'SMCR-1', 'DR-1', 'IR-2'], total: 4 });
    expect(await keys({ kinds: ['IR'] })).toEqual({ keys: ['IR-1', 'IR-2'], total: 2 });
    expect(await keys({ kinds: ['SMCR', 'DR'] })).toEqual({ keys: ['SMCR-1', 'DR-1'], total: 2 });
    expect(await keys({ release: 'CFIS001' })).toEqual({ keys: ['IR-1', 'DR-1'], total: 2 });
    expect(await keys({ release: 'CFIS002' })).toEqual({ keys: [], total: 0 });
    expect(await keys({ release: 'none' })).toEqual({ keys: ['SMCR-1', 'IR-2'], total: 2 });
    expect(await keys({ release: 'CFIS001', kinds: ['DR'] })).toEqual({ keys: ['DR-1'], total: 1 });
    expect(await keys({ owner: 'alice' })).toEqual({ keys: ['IR-1', 'DR-1'], total: 2 });
    expect(await keys({ priority: 'medium' })).toEqual({ keys: ['IR-1', 'SMCR-1', 'DR-1', 'IR-2'], total: 4 });

    // `%` and `_` are literals, not wildcards.
    expect(await keys({ text: '%' })).toEqual({ keys: ['IR-1'], total: 1 });
    expect(await keys({ text: '100%' })).toEqual({ keys: ['IR-1'], total: 1 });
    expect(await keys({ text: '100' })).toEqual({ keys: ['IR-1', 'DR-1'], total: 2 });
    expect(await keys({ text: '_' })).toEqual({ keys: ['SMCR-1'], total: 1 });
    expect(await keys({ text: 'field_name' })).toEqual({ keys: ['SMCR-1'], total: 1 });
    expect(await keys({ text: 'FIELD' })).toEqual({ keys: ['SMCR-1', 'DR-1'], total: 2 });
    expect(await keys({ text: 'a\\b' })).toEqual({ keys: [], total: 0 });
    // Help-desk references are searched too, case-insensitively.
    expect(await keys({ text: 'HD-3' })).toEqual({ keys: ['IR-2'], total: 1 });
    expect(await keys({ text: 'hd-' })).toEqual({ keys: ['IR-1', 'DR-1', 'IR-2'], total: 3 });

    const page = await listWorkItemViews(deps, { limit: 2, offset: 1 });
    expect(page.items.map((i) => i.key)).toEqual(['SMCR-1', 'DR-1']);
    expect(page).toMatchObject({ total: 4, limit: 2, offset: 1 });
    expect(page.items.map((i) => i.release)).toEqual([null, 'CFIS001']);
    await rejectsWith(listWorkItemViews(deps, { release: 'CFIS404', limit: 10, offset: 0 }), NotFoundError);
  });
});
