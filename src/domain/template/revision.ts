import type { FieldProblem } from '../errors.js';

/** What document control (P18) records about a template version besides the sections it changed. */
export type RevisionRecord = { changes: string; preparedBy: string | null; reviewedBy: string | null };

/** What earlier versions of the same template recorded as their change. */
export type EarlierRecord = { version: number; changes: string };

const same = (a: string, b: string): boolean => a.trim().replace(/\s+/g, ' ').toLowerCase() === b.trim().replace(/\s+/g, ' ').toLowerCase();

/**
 * A version after the first needs its own record: what it changes (not the
 * words of an earlier version, as a copied `revision:` block would carry),
 * who prepared it and who reviewed it, two named people. The first version
 * of a template is its initial transcription and needs none of this.
 */
export function revisionProblems(record: RevisionRecord, earlier: readonly EarlierRecord[]): FieldProblem[] {
  if (earlier.length === 0) return [];
  const problems: FieldProblem[] = [];
  const changes = record.changes.trim();
  if (changes === '') problems.push({ path: 'revision.changes', message: 'describe what this version changes (document control)' });
  else {
    const reused = earlier.find((e) => same(e.changes, changes));
    if (reused) {
      problems.push({
        path: 'revision.changes',
        message: `"${changes}" is what version ${reused.version} changed; describe what this version changes`,
      });
    }
  }
  const preparedBy = record.preparedBy?.trim() ?? '';
  const reviewedBy = record.reviewedBy?.trim() ?? '';
  if (preparedBy === '') problems.push({ path: 'revision.preparedBy', message: 'name the person who prepared this version' });
  if (reviewedBy === '') problems.push({ path: 'revision.reviewedBy', message: 'name the person who reviewed this version' });
  else if (same(preparedBy, reviewedBy)) {
    problems.push({ path: 'revision.reviewedBy', message: `${reviewedBy} prepared this version; someone else reviews it` });
  }
  return problems;
}

/**
 * Contacts in a template seed applications created from it; applications
 * already running keep (and manage) their own. Said when a version changes them.
 */
export function contactsNotice(sectionsChanged: readonly string[], runningApps: readonly string[]): string[] {
  if (!sectionsChanged.includes('contacts') || runningApps.length === 0) return [];
  return [
    `contacts: this version's resource list, escalation list and distribution groups seed applications created from now on; ` +
      `the applications already running (${runningApps.join(', ')}) keep their own — change those with relman contact and relman group`,
  ];
}
