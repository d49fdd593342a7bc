import type { ProcessTemplate } from '../template/schema.js';
import { currentPackageVersions, latestAttempt, type ReleaseSnapshot } from './snapshot.js';

export type TestInput = { itemId: string; environment: string; result: 'passed' | 'failed'; cause: string | null };

/** Every reason this test attempt may not be recorded now (P8). */
export function testAttemptProblems(t: ProcessTemplate, s: ReleaseSnapshot, input: TestInput): { path: string; message: string }[] {
  const problems: { path: string; message: string }[] = [];
  const item = s.items.find((i) => i.id === input.itemId);
  if (!item) problems.push({ path: 'item', message: `the item is not in release ${s.name}` });
  if (!t.environments.some((e) => e.id === input.environment)) {
    problems.push({
      path: 'environment',
      message: `unknown environment "${input.environment}"; one of: ${t.environments.map((e) => e.id).join(', ')}`,
    });
  }
  if (input.result === 'failed') {
    if (input.cause === null)
      problems.push({ path: 'cause', message: `a failed attempt needs a cause: ${t.failureCauses.map((c) => c.id).join(', ')}` });
    else if (!t.failureCauses.some((c) => c.id === input.cause)) {
      problems.push({ path: 'cause', message: `unknown cause "${input.cause}"; one of: ${t.failureCauses.map((c) => c.id).join(', ')}` });
    }
  } else if (input.cause !== null) problems.push({ path: 'cause', message: 'a passed attempt has no failure cause' });
  if (!item) return problems;
  const last = latestAttempt(s, input.itemId, input.environment);
  const cause = last?.cause ? t.failureCauses.find((c) => c.id === last.cause) : undefined;
  if (last?.result === 'failed' && cause?.needsNewPackage) {
    const now = currentPackageVersions(s);
    const newer = Object.entries(now).some(([channel, v]) => v > (last.packages[channel] ?? 0));
    if (!newer) {
      problems.push({
        path: 'item',
        message: `${item.key} failed because of ${cause.name.toLowerCase()}; it goes back to the developer and can be retested once a new package version is recorded`,
      });
    }
  }
  return problems;
}
