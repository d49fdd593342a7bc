import { beforeEach, describe, expect, it } from 'vitest';
import { ConflictError, ForbiddenError, GatesNotSatisfiedError, ValidationError } from '../../src/domain/errors.js';
import type { ServiceDeps } from '../../src/services/deps.js';
import { listApprovals } from '../../src/services/lifecycle/approvals.js';
import { resolveIssue } from '../../src/services/lifecycle/evidence.js';
import { performTransition, releaseGates, releaseHistory } from '../../src/services/lifecycle/transitions.js';
import { getRelease } from '../../src/services/releases.js';
import { assignWorkItem } from '../../src/services/work-items.js';
import { dialects } from '../support/databases.js';
import { crewPerTest } from '../support/factories.js';
import { AT, DB, MSG, WEB, startFlow, type Crew, type Flow } from '../support/lifecycle-flow.js';
import { lastAuditSeq, rejectsWith, type ManualClock } from '../support/service-fixtures.js';

describe.each(dialects)('lifecycle refusals ($name)', ({ name }) => {
  let deps: ServiceDeps, clock: ManualClock, crew: Crew;
  crewPerTest(name, (b) => ({ deps, clock, crew } = b));

  /** The transition is refused, nothing is written, and the refusal names every unmet condition. */
  async function refusedWith(f: Flow, transition: string, actor = crew.cmc, comment?: string): Promise<string[]> {
    const seq = await lastAuditSeq(deps);
    const before = await getRelease(deps, { name: f.name });
    const err = await rejectsWith(performTransition(deps, actor, { name: f.name }, { transition, comment }), GatesNotSatisfiedError);
    expect(err.transition).toBe(transition);
    expect(await lastAuditSeq(deps)).toBe(seq);
    const after = await getRelease(deps, { name: f.name });
    expect([after.state, after.version]).toEqual([before.state, before.version]);
    return err.unmet;
  }

  describe('every unmet condition is listed', () => {
    it('approve-for-production with nothing recorded', async () => {
      const f = await startFlow(deps, clock, crew);
      const err = await rejectsWith(
        performTransition(deps, crew.cmc, { name: f.name }, { transition: 'approve-for-production' }),
        GatesNotSatisfiedError,
      );
      expect(err.transitionName).toBe('Approve for production');
      expect(err.unmet).toEqual([
        'the release is Draft; "Approve for production" starts from Acceptance test signed off',
        MSG.atSignoffMissing,
        MSG.notNotified('CATS'),
        MSG.notNotified('MEDS'),
        MSG.notNotified('Fiscal intermediary'),
        MSG.noPackage(DB),
        MSG.noPackage(WEB),
        MSG.noPackageTested,
        MSG.productionApprovalMissing,
      ]);
      expect(err.message).toBe(`"Approve for production" is not possible yet: ${err.unmet.join('; ')}`);
      // Each gate comes with its own result, failing or not.
      const gates = err.gates as { id: string; pass: boolean; reasons: string[] }[];
      expect(gates.map((g) => [g.id, g.pass, g.reasons.length])).toEqual([
        ['at-signed-off', false, 1],
        ['systems-notified', false, 3],
        ['package-verified', false, 2],
        // Nothing uploaded yet: a package without a file has nothing to check.
        ['package-covers-items', true, 0],
        ['packages-tested-at', false, 1],
        ['no-open-at-issues', true, 0],
        ['no-pending-project-issues', true, 0],
        ['production-approved', false, 1],
      ]);
    });

    it('wrong state and a missing comment, for cancel and back-to-packaging', async () => {
      const f = await startFlow(deps, clock, crew);
      expect(await refusedWith(f, 'back-to-packaging', crew.lead)).toEqual([
        'the release is Draft; "Back to packaging (corrective action)" starts from Package verified or In acceptance test or Acceptance test signed off',
        '"Back to packaging (corrective action)" needs a comment saying why',
      ]);
      // A comment of blanks is no comment.
      expect(await refusedWith(f, 'cancel', crew.lead, '   ')).toEqual(['"Cancel" needs a comment saying why']);
      await f.readyForProduction();
      await f.transition(crew.cmc, 'approve-for-production');
      await f.startDeployment();
      expect(await refusedWith(f, 'cancel', crew.cmc)).toEqual([
        'the release is Deploying; "Cancel" starts from Draft or Packaging or Package verified or In acceptance test or Acceptance test signed off or Approved for production',
        '"Cancel" needs a comment saying why',
      ]);
      // With the comment the state is the one thing left; roll-back is how a deployment is undone.
      expect(await refusedWith(f, 'cancel', crew.cmc, 'wrong week')).toHaveLength(1);
      await f.transition(crew.cmc, 'roll-back', 'claims page fails');
      const history = await releaseHistory(deps, { name: f.name });
      expect(history.at(-1)).toMatchObject({ transition: 'roll-back', from: 'deploying', to: 'rolled-back', comment: 'claims page fails' });
    });

    it('a role the transition does not name: ForbiddenError with the allowed roles', async () => {
      const f = await startFlow(deps, clock, crew);
      const err = await rejectsWith(performTransition(deps, crew.cmc, { name: f.name }, { transition: 'start-packaging' }), ForbiddenError);
      expect(err.allowedRoles).toEqual(['technical-lead', 'developer']);
      const viewer = await rejectsWith(
        performTransition(deps, crew.viewer, { name: f.name }, { transition: 'cancel', comment: 'x' }),
        ForbiddenError,
      );
      expect(viewer.allowedRoles).toEqual(['cmc', 'technical-lead']);
      // The deployment team may not approve for production, even with every gate holding.
      await f.readyForProduction();
      const dep = await rejectsWith(
        performTransition(deps, crew.deployer, { name: f.name }, { transition: 'approve-for-production' }),
        ForbiddenError,
      );
      expect(dep.allowedRoles).toEqual(['cmc']);
      expect((await getRelease(deps, { name: f.name })).state).toBe('at-signed-off');
    });

    it('an unknown transition: ValidationError naming the ones possible from here', async () => {
      const f = await startFlow(deps, clock, crew);
      const err = await rejectsWith(performTransition(deps, crew.lead, { name: f.name }, { transition: 'ship-it' }), ValidationError);
      expect(err.message).toBe('"ship-it" is not a transition of the Scheduled change cycle workflow; from Draft: start-packaging, cancel');
      expect(err.problems).toEqual([{ path: 'transition', message: err.message }]);
    });
  });

  describe('P11: each production gate on its own blocks approve-for-production', () => {
    let f: Flow;
    beforeEach(async () => {
      f = await startFlow(deps, clock, crew);
      await f.readyForProduction();
      const gates = await releaseGates(deps, crew.cmc, { name: f.name });
      expect(gates.transitions.find((t) => t.id === 'approve-for-production')).toMatchObject({ allowedForYou: true, unmet: [] });
    });

    /** Refused with exactly these reasons, then allowed once the fact is put right. */
    async function blockedBy(reasons: string[], putRight: () => Promise<unknown>): Promise<void> {
      expect(await refusedWith(f, 'approve-for-production')).toEqual(reasons);
      const listed = (await releaseGates(deps, crew.cmc, { name: f.name })).transitions.find((t) => t.id === 'approve-for-production');
      expect(listed?.unmet).toEqual(reasons);
      await putRight();
      await f.transition(crew.cmc, 'approve-for-production');
      expect((await getRelease(deps, { name: f.name })).state).toBe('approved-for-production');
    }

    it('gate 4: an open issue reported during AT', async () => {
      await f.raise('at-issue', 'Totals wrong');
      await blockedBy([MSG.openAtIssue(1, 'Totals wrong')], () => f.resolve(1));
    });

    it("gate 5: a pending project issue (closing it as won't fix needs a reason, and then counts)", async () => {
      await f.raise('project-issue', 'Budget not approved', crew.lead);
      await f.raise('at-issue', 'Typo', crew.analyst);
      await f.resolve(2);
      const noReason = await rejectsWith(
        resolveIssue(deps, crew.cmc, { name: f.name }, 1, { status: 'wont-fix', resolution: ' ' }),
        ValidationError,
      );
      expect(noReason.problems).toEqual([{ path: 'resolution', message: "closing an issue as won't fix needs a reason" }]);
      await blockedBy([MSG.openProjectIssue(1, 'Budget not approved')], () => f.resolve(1, crew.cmc, 'wont-fix', 'funded next year'));
    });

    it('gate 2: one external system not notified', async () => {
      // As if MEDS had never been told.
      await deps.database.kysely.deleteFrom('release_notifications').where('system', '=', 'meds').execute();
      await blockedBy([MSG.notNotified('MEDS')], () => f.notify('meds'));
    });

    it('gate 3, P7, P8: a new package version after acceptance testing is refused until the release goes back, then tested again', async () => {
      const seq = await lastAuditSeq(deps);
      const err = await rejectsWith(f.pkg('database'), ConflictError);
      expect(err.code).toBe('state-evidence-voided');
      expect(err.message).toBe(
        `release ${f.name} is Acceptance test signed off, which a new ${DB} package version would void: ` +
          `${MSG.notTested(DB, 2, AT, 1)}; ${MSG.atSignoffMissing}; take it back first (back-to-packaging)`,
      );
      // Nothing recorded: no version, no voided approval, no audit event; the release still claims what it did.
      expect(await lastAuditSeq(deps)).toBe(seq);
      expect((await getRelease(deps, { name: f.name })).state).toBe('at-signed-off');
      expect((await listApprovals(deps, { name: f.name })).every((a) => a.decisions.every((d) => !d.voided))).toBe(true);

      await f.transition(crew.lead, 'back-to-packaging', 'the claims fix needs another class');
      const pkg = await f.pkg('database');
      expect(pkg).toMatchObject({ channel: 'database', version: 2, createdBy: 'dana' });
      // at-go-ahead, at-signoff and production-approval were given; all three are void now.
      expect(pkg.voidedApprovals).toBe(3);
      const approvals = await listApprovals(deps, { name: f.name });
      const signoff = approvals.find((a) => a.step === 'at-signoff');
      expect(signoff).toMatchObject({ approvedBy: [], satisfied: false });
      expect(signoff?.decisions).toEqual([
        expect.objectContaining({ decidedBy: 'carol', voided: true, voidReason: 'new database package v2', voidedAt: pkg.createdAt }),
      ]);
      expect(await refusedWith(f, 'mark-package-verified', crew.dev)).toEqual([MSG.notVerified(DB, 2, f.name, 'database')]);
      await f.step('verify-package', 'database', crew.dev);
      await f.transition(crew.dev, 'mark-package-verified');
      await f.approve('at-go-ahead');
      await f.transition(crew.lead, 'install-in-at');
      // Signing acceptance testing off again does not make v2 tested: it has to be tested in AT.
      await f.approve('at-signoff');
      expect(await refusedWith(f, 'complete-at')).toEqual([MSG.notTested(DB, 2, AT, 1)]);
      for (const item of f.items) await f.test(item, 'acceptance-test', 'passed');
      await f.transition(crew.cmc, 'complete-at');
      await f.approve('production-approval');
      await f.transition(crew.cmc, 'approve-for-production');
      const history = await releaseHistory(deps, { name: f.name });
      const gate = history.at(-1)?.evidence.gates.find((g) => g.id === 'packages-tested-at');
      expect(gate?.evidence.map((e) => e.what)).toEqual([
        `${DB} package v2 passed testing in ${AT} (2 item(s))`,
        `${WEB} package v1 passed testing in ${AT} (2 item(s))`,
      ]);
    });

    it('once approved for production, packages are frozen until the release goes back to packaging', async () => {
      await f.transition(crew.cmc, 'approve-for-production');
      const err = await rejectsWith(f.pkg('database'), ConflictError);
      expect(err.code).toBe('packages-locked');
      expect(err.message).toContain('is Approved for production: its packages are frozen');
      await f.startDeployment(crew.lead);
      expect((await rejectsWith(f.pkg('web'), ConflictError)).code).toBe('packages-locked');
    });

    it.each(['attach', 'detach'] as const)(
      'gate 1: an item %s is refused after AT sign-off, and voids it once back in packaging',
      async (change) => {
        const seq = await lastAuditSeq(deps);
        const err =
          change === 'attach'
            ? await rejectsWith(f.addItem('SMCR', 'A late addition'), ConflictError)
            : await rejectsWith(assignWorkItem(deps, crew.lead, { key: 'SMCR-1' }, { release: null }), ConflictError);
        expect(err.code).toBe('state-evidence-voided');
        expect(err.message).toContain(`release ${f.name} is Acceptance test signed off, which a change of its work items would void: `);
        expect(err.message).toContain(`${MSG.atSignoffMissing}; take it back first (back-to-packaging)`);
        // An attach creates the item first (its own audit event); nothing else is written.
        expect(await lastAuditSeq(deps)).toBe(seq + (change === 'attach' ? 1 : 0));
        expect((await getRelease(deps, { name: f.name })).items.map((i) => i.key)).toEqual(['IR-1', 'SMCR-1']);

        await f.transition(crew.lead, 'back-to-packaging', 'scope change');
        if (change === 'attach') await assignWorkItem(deps, crew.lead, { key: 'SMCR-2' }, { release: f.name });
        else await assignWorkItem(deps, crew.lead, { key: 'SMCR-1' }, { release: null });
        const approvals = await listApprovals(deps, { name: f.name });
        const voided = approvals.filter((a) => a.decisions.some((d) => d.voided)).map((a) => a.step);
        expect(voided).toEqual(['at-go-ahead', 'at-signoff', 'production-approval']);
        const reason = approvals.find((a) => a.step === 'at-signoff')?.decisions[0]?.voidReason;
        expect(reason).toBe(change === 'attach' ? 'SMCR-2 added' : 'SMCR-1 taken out');
      },
    );

    it('items are frozen with the packages once approved for production', async () => {
      await f.transition(crew.cmc, 'approve-for-production');
      const err = await rejectsWith(assignWorkItem(deps, crew.lead, { key: 'SMCR-1' }, { release: null }), ConflictError);
      expect(err.code).toBe('packages-locked');
      expect(err.message).toBe(`release ${f.name} is Approved for production: its packages and items are frozen`);
    });
  });
});
