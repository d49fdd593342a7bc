import { describe, expect, it } from 'vitest';
import { dialects } from '../support/databases.js';
import { httpCrewPerFile } from '../support/factories.js';
import { expectJson, expectProblem } from '../support/http.js';
import { move, packageAndVerify, rel, releaseWithItem, type Crew } from '../support/lifecycle-http.js';

type Step = { transition: { id: string; allowedForYou: boolean }; from: string; to: string; toName: string; unmet: string[] };

describe.each(dialects)('the road to production over HTTP on $name', ({ name: dialect }) => {
  let crew: Crew;
  httpCrewPerFile(dialect, (b) => ({ crew } = b));

  it('lists every step still ahead, each with what its gates still lack, and shortens as the release moves', async () => {
    const { name } = await releaseWithItem(
      crew.lead,
      crew.lead,
      { type: 'scheduled', channels: ['database'] },
      { kind: 'IR', helpdeskRef: 'HD-ROAD-1', title: 'Road item' },
    );
    const draft = expectJson(await crew.dev('GET', rel(name, '/road')), 200);
    expect(draft).toMatchObject({ release: name, state: 'draft', stateName: 'Draft', reached: false, terminal: false, goal: 'signed-off' });
    const steps = draft.steps as Step[];
    expect(steps.map((s) => s.transition.id)).toEqual([
      'start-packaging',
      'mark-package-verified',
      'install-in-at',
      'complete-at',
      'approve-for-production',
      'start-deployment',
      'confirm-deployment',
      'verify-in-production',
      'sign-off',
    ]);
    expect(steps[0]).toMatchObject({ from: 'draft', to: 'packaging', toName: 'Packaging', unmet: [], transition: { allowedForYou: true } });
    expect(steps[1]).toMatchObject({ from: 'packaging', to: 'package-verified' });
    // A later step's gates are evaluated now: no package was recorded, so its verification is missing.
    expect(steps[1]!.unmet.join('\n')).toMatch(/no package has been recorded for the Database/);
    expect(steps[4]!.unmet).toContain('Approval of the production install by the Change Management Coordinator is missing');
    expect(steps[4]!.transition.allowedForYou).toBe(false);

    await packageAndVerify(crew, name, ['database']);
    const later = expectJson(await crew.viewer('GET', rel(name, '/road')), 200);
    expect(later.state).toBe('package-verified');
    expect((later.steps as Step[]).map((s) => s.transition.id)[0]).toBe('install-in-at');
    expect(later.steps).toHaveLength(7);
  });

  it('is empty and unreachable once the release is cancelled; unknown releases are 404', async () => {
    const { name } = await releaseWithItem(
      crew.lead,
      crew.lead,
      { type: 'scheduled', channels: ['database'] },
      { kind: 'IR', helpdeskRef: 'HD-ROAD-2', title: 'Cancelled item' },
    );
    await move(crew.cmcA, name, 'cancel', 'not needed');
    expect(expectJson(await crew.viewer('GET', rel(name, '/road')), 200)).toMatchObject({
      state: 'cancelled',
      reached: false,
      terminal: true,
      goal: null,
      goalName: null,
      steps: [],
    });
    expectProblem(await crew.viewer('GET', rel('NO-SUCH-1', '/road')), 404, 'not-found');
  });
});
