import { describe, expect, it } from 'vitest';
import { dialects } from '../support/databases.js';
import { httpCrewPerFile } from '../support/factories.js';
import { expectJson } from '../support/http.js';
import { ISO, move, packageAndVerify, rel, releaseWithItem, V, type Crew, type Person } from '../support/lifecycle-http.js';

type Work = {
  inFlight: { state: string; stateName: string; releases: { name: string }[] }[];
  approvalsWaiting: { release: string; step: string; requestedBy: string | null; requestedAt: string | null }[];
  tasks: { release: string; overdue: boolean; responsible: { role: string }[] }[];
  nextCycles: { date: string; releases: { name: string }[] }[];
  recentChanges: { at: string; actor: string; action: string; release: string; summary: string; seq: number }[];
};

describe.each(dialects)('my work over HTTP on $name', ({ name: dialect }) => {
  let crew: Crew;
  httpCrewPerFile(dialect, (b) => ({ crew } = b));
  const work = async (who: Person, query = ''): Promise<Work> => expectJson<Work>(await who('GET', `${V}/me/work${query}`), 200);

  let name: string;

  it('shows the releases in flight by state, the next change cycles with their bookings and the changes to my releases', async () => {
    ({ name } = await releaseWithItem(
      crew.lead,
      crew.lead,
      { type: 'scheduled', channels: ['database'], plannedDate: '2026-03-14' },
      { kind: 'IR', helpdeskRef: 'HD-MINE-1', title: 'Mine' },
    ));
    expectJson(await crew.cmcA('POST', `${V}/cycles`, { date: '2026-03-14' }), 201);
    expectJson(await crew.cmcA('POST', `${V}/cycles`, { date: '2026-03-21' }), 201);

    const lead = await work(crew.lead);
    expect(lead.inFlight).toEqual([{ state: 'draft', stateName: 'Draft', releases: [expect.objectContaining({ name, state: 'draft' })] }]);
    expect(lead.nextCycles.map((c) => [c.date, c.releases.map((r) => r.name)])).toEqual([
      ['2026-03-14', [name]],
      ['2026-03-21', []],
    ]);
    expect((await work(crew.lead, '?cycles=1')).nextCycles).toHaveLength(1);
    expect(lead.recentChanges.map((c) => [c.action, c.release, c.actor])).toEqual([
      ['release.book', name, 'cmc-ann'],
      ['release.create', name, 'lead-lee'],
    ]);
    expect(lead.recentChanges[1]).toMatchObject({ summary: 'created the release', at: expect.stringMatching(ISO) });
    // Nobody else created a release: their recent changes are empty.
    expect((await work(crew.viewer)).recentChanges).toEqual([]);
    // A draft release's approvals guard nothing yet and nobody asked for them.
    expect((await work(crew.cmcB)).approvalsWaiting).toEqual([]);
  });

  it('lists an approval as waiting for those who may give it once asked for, not for who asked; my tasks overdue first', async () => {
    expectJson(await crew.cmcA('POST', rel(name, '/approvals/at-go-ahead/requests'), {}), 201);
    const bob = await work(crew.cmcB);
    expect(bob.approvalsWaiting).toEqual([
      {
        release: name,
        step: 'at-go-ahead',
        stepName: 'Go-ahead to install in acceptance test',
        roles: ['cmc'],
        requestedBy: 'cmc-ann',
        requestedAt: expect.stringMatching(ISO),
      },
    ]);
    expect((await work(crew.cmcA)).approvalsWaiting).toEqual([]);
    expect((await work(crew.dev)).approvalsWaiting).toEqual([]);
    const lead = await work(crew.lead);
    expect(lead.recentChanges[0]).toMatchObject({ action: 'approval.request', summary: 'asked for at-go-ahead', actor: 'cmc-ann' });

    // The lead's checklist: one task already overdue (due before the clock's today), listed first.
    const overdue = lead.tasks.map((t) => t.overdue);
    expect(overdue).toContain(true);
    expect(overdue).toContain(false);
    expect(overdue).toEqual([...overdue].sort((a, b) => Number(b) - Number(a)));
    for (const t of lead.tasks) expect(t.responsible.map((r) => r.role)).toContain('technical-lead');
    expect((await work(crew.cmcA)).tasks.every((t) => t.responsible.some((r) => r.role === 'cmc'))).toBe(true);
  });

  it('counts a step guarding a transition out of the current state as waiting; a decided or ended release drops out', async () => {
    await packageAndVerify(crew, name, ['database']);
    expect((await work(crew.cmcB)).approvalsWaiting.map((w) => w.step)).toEqual(['at-go-ahead']);
    expectJson(await crew.cmcB('POST', rel(name, '/approvals'), { step: 'at-go-ahead', decision: 'approve' }), 201);
    expect((await work(crew.cmcB)).approvalsWaiting).toEqual([]);
    await move(crew.cmcA, name, 'cancel', 'not needed');
    expect((await work(crew.lead)).inFlight).toEqual([]);
    expect((await work(crew.lead)).recentChanges[0]).toMatchObject({
      action: 'release.transition',
      summary: 'cancel: package-verified → cancelled',
    });
  });
});
