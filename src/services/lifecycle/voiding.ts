import { ConflictError } from '../../domain/errors.js';
import { voidedStateProblem, type EvidenceChange } from '../../domain/lifecycle/voiding.js';
import type { ReleaseSnapshot } from '../../domain/lifecycle/snapshot.js';
import type { ProcessTemplate } from '../../domain/template/schema.js';

/**
 * Refuses a new package version or a change of items that would leave the
 * release claiming a state whose evidence the change voids (409
 * `state-evidence-voided`): the release has to be taken back first, by a
 * person, with the comment its transition asks for.
 */
export function refuseVoidingChange(t: ProcessTemplate, s: ReleaseSnapshot, change: EvidenceChange): void {
  const problem = voidedStateProblem(t, s, change);
  if (problem !== null) throw new ConflictError(problem, 'state-evidence-voided');
}
