import type { Report } from '../template/lifecycle-schema.js';
import type { SnapshotItem } from './snapshot.js';

export type RefProblem = { index: number; ref: string; message: string };

const norm = (ref: string): string => ref.trim().toLowerCase();

function either(words: readonly string[]): string {
  return words.length <= 1 ? (words[0] ?? '') : `${words.slice(0, -1).join(', ')} or ${words.at(-1) ?? ''}`;
}

/**
 * P12: every help-desk reference a report cites must be the help-desk
 * reference of a work item on the release, of a kind the report allows (all
 * kinds when the template names none). Returns one problem per reference
 * that does not qualify, in words naming the reference and why.
 */
export function helpdeskRefProblems(
  def: Report,
  releaseName: string,
  items: readonly SnapshotItem[],
  refs: readonly string[],
): RefProblem[] {
  const kinds = def.helpdeskRefs?.kinds ?? [];
  const problems: RefProblem[] = [];
  const seen = new Set<string>();
  refs.forEach((ref, index) => {
    const key = norm(ref);
    if (seen.has(key)) return void problems.push({ index, ref, message: `${ref} is listed twice` });
    seen.add(key);
    const owners = items.filter((i) => norm(i.helpdeskRef) === key);
    if (owners.length === 0) {
      return void problems.push({ index, ref, message: `${ref} is not the help-desk reference of any work item on ${releaseName}` });
    }
    if (kinds.length === 0 || owners.some((i) => kinds.includes(i.kind))) return;
    const keys = owners.map((i) => i.key);
    const verb = owners.length === 1 ? 'which is' : 'which are';
    problems.push({ index, ref, message: `${ref} belongs to ${keys.join(' and ')}, ${verb} not of kind ${either(kinds)}` });
  });
  return problems;
}
