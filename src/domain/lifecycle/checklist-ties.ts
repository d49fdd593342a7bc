import type { Transition } from '../template/lifecycle-schema.js';
import type { ProcessTemplate } from '../template/schema.js';
import type { GateResult } from './gates.js';
import type { ReleaseSnapshot, SnapshotChecklistWaiver } from './snapshot.js';

/** The id under which a transition's checklist condition appears among its gates. */
export const checklistTieId = (transition: string): string => `checklist:${transition}`;

/** How a waiver reads in the evidence: "waived by carol at 2026-03-14T09:00:00.000Z: the backup runs at night". */
export const describeWaiver = (w: Pick<SnapshotChecklistWaiver, 'by' | 'at' | 'reason'>): string =>
  `waived by ${w.by} at ${w.at}: ${w.reason}`;

/** Ids of the template's checklist tasks that must be done before this transition. */
export function tasksTiedTo(t: ProcessTemplate, transition: string): string[] {
  return t.checklist.filter((c) => c.requiredBefore.includes(transition)).map((c) => c.id);
}

/**
 * The checklist condition of a transition (P14, P17): every task of the
 * release that the template ties to it (`requiredBefore`) is done, marked not
 * applicable, or waived for this transition by a coordinator. Only tasks the
 * release has count. Null when the template ties no task to the transition.
 */
export function checklistTie(t: ProcessTemplate, tr: Transition, s: ReleaseSnapshot): GateResult | null {
  const tied = new Set(tasksTiedTo(t, tr.id));
  if (tied.size === 0) return null;
  const r: GateResult = {
    id: checklistTieId(tr.id),
    name: `Checklist tasks to be done before "${tr.name}"`,
    pass: false,
    reasons: [],
    evidence: [],
    exceptions: [],
  };
  for (const task of s.checklist ?? []) {
    if (!tied.has(task.task)) continue;
    const label = `Checklist task '${task.title}'`;
    const note = task.note ? `: ${task.note}` : '';
    if (task.status === 'done') r.evidence.push({ what: `${label} done${note}`, by: task.by ?? '-', at: task.at ?? '-' });
    else if (task.status === 'skipped')
      r.evidence.push({ what: `${label} marked not applicable${note}`, by: task.by ?? '-', at: task.at ?? '-' });
    else {
      const waiver = task.waivers?.find((w) => w.transition === tr.id);
      if (!waiver) {
        r.reasons.push(`${label} is not done`);
        continue;
      }
      r.evidence.push({ what: `${label} ${describeWaiver(waiver)}`, by: waiver.by, at: waiver.at });
      r.exceptions.push(`checklist task '${task.title}' ${describeWaiver(waiver)}`);
    }
  }
  r.pass = r.reasons.length === 0;
  return r;
}
