import { describe, expect, it } from 'vitest';
import { ConflictError, GatesNotSatisfiedError, StaleVersionError } from '../../src/domain/errors.js';
import type { Actor } from '../../src/services/actor.js';
import { verifyAudit } from '../../src/services/audit.js';
import type { ServiceDeps } from '../../src/services/deps.js';
import { decideApproval, listApprovals } from '../../src/services/lifecycle/approvals.js';
import { raiseIssue, recordPackage } from '../../src/services/lifecycle/evidence.js';
import { performTransition, releaseHistory } from '../../src/services/lifecycle/transitions.js';
import { getRelease } from '../../src/services/releases.js';
import { dialects } from '../support/databases.js';
import { crewPerTest } from '../support/factories.js';
import { userWith } from '../support/harness.js';
import { startFlow, type Crew, type Flow } from '../support/lifecycle-flow.js';
import { auditEvents, lastAuditSeq, rejectsWith, type ManualClock } from '../support/service-fixtures.js';

const N = 20;

describe.each(dialects)('lifecycle concurrency ($name)', ({ name }) => {
  let deps: ServiceDeps, clock: ManualClock, crew: Crew;
  crewPerTest(name, (b) => ({ deps, clock, crew } = b));

  const version = async (f: Flow) => (await getRelease(deps, { name: f.name })).version;
  const transitionRows = async (f: Flow, transition: string) =>
    deps.database.kysely
      .selectFrom('release_transitions')
      .innerJoin('releases', 'releases.id', 'release_transitions.release_id')
      .select(['release_transitions.transition', 'release_transitions.performed_by'])
      .where('releases.name', '=', f.name)
      .where('release_transitions.transition', '=', transition)
      .execute();

  it('a transition with a stale expectedVersion is refused; with the current one it goes through', async () => {
    const f = await startFlow(deps, clock, crew);
    const read = await version(f);
    // Someone else records a package in between.
    await f.transition(crew.dev, 'start-packaging');
    const seq = await lastAuditSeq(deps);
    const err = await rejectsWith(
      performTransition(deps, crew.dev, { name: f.name }, { transition: 'cancel', comment: 'x', expectedVersion: read }),
      StaleVersionError,
    );
    expect([err.expected, err.actual]).toEqual([read, read + 1]);
    expect(await lastAuditSeq(deps)).toBe(seq);
    const err2 = await rejectsWith(
      decideApproval(deps, crew.cmc, { name: f.name }, { step: 'at-go-ahead', decision: 'approve', expectedVersion: read }),
      StaleVersionError,
    );
    expect(err2.actual).toBe(read + 1);
    const ref = { name: f.name };
    const done = await performTransition(deps, crew.lead, ref, {
      transition: 'cancel',
      comment: 'moved',
      expectedVersion: read + 1,
    });
    expect(done).toMatchObject({ transition: 'cancel', from: 'packaging', to: 'cancelled' });
    expect(await version(f)).toBe(read + 2);
  });

  it(`${N} coordinators approving one step that needs one approval at once: exactly one succeeds`, async () => {
    const f = await startFlow(deps, clock, crew);
    await f.toPackageVerified();
    const cmcs: Actor[] = [];
    for (let i = 0; i < N; i++) cmcs.push((await userWith(deps, ['cmc'], `cmc${i}`)).actor);
    const seq = await lastAuditSeq(deps);
    const before = await version(f);

    const results = await Promise.allSettled(
      cmcs.map((a) => decideApproval(deps, a, { name: f.name }, { step: 'at-go-ahead', decision: 'approve' })),
    );
    const won = results.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
    const lost = results.flatMap((r) => (r.status === 'rejected' ? [r.reason as unknown] : []));
    expect(won).toHaveLength(1);
    expect(lost).toHaveLength(N - 1);
    for (const e of lost) {
      expect(e).toBeInstanceOf(ConflictError);
      expect((e as ConflictError).code).toBe('approval-refused');
      expect((e as ConflictError).message).toBe('"Go-ahead to install in acceptance test" is already approved');
    }
    const step = (await listApprovals(deps, { name: f.name })).find((s) => s.step === 'at-go-ahead');
    expect(step?.approvedBy).toEqual([won[0]?.decidedBy]);
    expect(step?.decisions).toHaveLength(1);
    const events = await auditEvents(deps, seq);
    expect(events.map((e) => [e.action, e.actor])).toEqual([['approval.approve', won[0]?.decidedBy]]);
    expect(await version(f)).toBe(before + 1);
    expect(await verifyAudit(deps.database.kysely)).toMatchObject({ ok: true, events: seq + 1 });
  });

  it(`${N} identical transitions at once: the state changes once, with one history row and one audit event`, async () => {
    const f = await startFlow(deps, clock, crew);
    await f.transition(crew.dev, 'start-packaging');
    for (const c of ['database', 'web']) await f.pkg(c);
    for (const c of ['database', 'web']) await f.step('verify-package', c, crew.dev);
    const seq = await lastAuditSeq(deps);
    const read = await version(f);
    const people = [crew.dev, crew.lead];

    // Half send the version they read, half do not.
    const results = await Promise.allSettled(
      Array.from({ length: N }, (_, i) =>
        performTransition(
          deps,
          people[i % 2] as Actor,
          { name: f.name },
          {
            transition: 'mark-package-verified',
            expectedVersion: i % 4 < 2 ? read : undefined,
          },
        ),
      ),
    );
    const won = results.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
    expect(won).toHaveLength(1);
    expect(won[0]).toMatchObject({ transition: 'mark-package-verified', from: 'packaging', to: 'package-verified' });
    results.forEach((r, i) => {
      if (r.status === 'fulfilled') return;
      const e: unknown = r.reason;
      if (i % 4 < 2) expect(e).toBeInstanceOf(StaleVersionError);
      else {
        expect(e).toBeInstanceOf(GatesNotSatisfiedError);
        expect((e as GatesNotSatisfiedError).unmet).toEqual(['the release is Package verified; "Package verified" starts from Packaging']);
      }
    });

    const release = await getRelease(deps, { name: f.name });
    expect([release.state, release.version]).toEqual(['package-verified', read + 1]);
    expect(await transitionRows(f, 'mark-package-verified')).toEqual([
      { transition: 'mark-package-verified', performed_by: won[0]?.performedBy },
    ]);
    expect((await releaseHistory(deps, { name: f.name })).map((t) => t.transition)).toEqual(['start-packaging', 'mark-package-verified']);
    const events = await auditEvents(deps, seq);
    expect(events.map((e) => e.action)).toEqual(['release.transition']);
    expect(events[0]?.after).toMatchObject({ state: 'package-verified', transition: 'mark-package-verified' });
    expect(await verifyAudit(deps.database.kysely)).toMatchObject({ ok: true, events: seq + 1 });
  });

  it('concurrent facts on one release get distinct package versions and issue numbers', async () => {
    const f = await startFlow(deps, clock, crew);
    const seq = await lastAuditSeq(deps);
    const before = await version(f);
    const [packages, issues] = await Promise.all([
      Promise.all(
        Array.from({ length: 10 }, (_, i) => recordPackage(deps, crew.dev, { name: f.name }, { channel: 'database', label: `p${i}` })),
      ),
      Promise.all(
        Array.from({ length: 10 }, (_, i) =>
          raiseIssue(deps, crew.analyst, { name: f.name }, { category: 'at-issue', title: `issue ${i}` }),
        ),
      ),
    ]);
    expect(packages.map((p) => p.version).sort((a, b) => a - b)).toEqual(Array.from({ length: 10 }, (_, i) => i + 1));
    expect(issues.map((i) => i.number).sort((a, b) => a - b)).toEqual(Array.from({ length: 10 }, (_, i) => i + 1));
    expect(await version(f)).toBe(before + 20);
    expect((await auditEvents(deps, seq)).length).toBe(20);
    expect(await verifyAudit(deps.database.kysely)).toMatchObject({ ok: true, events: seq + 20 });
  });
});
