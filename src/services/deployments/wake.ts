/**
 * A nudge for this process's deployment executor: a write that makes a step
 * ready (a run started, a step marked, retried or skipped) calls it after
 * commit, so the next step begins at once instead of at the executor's next
 * tick. Other processes notice at their own tick.
 */
const listeners = new Set<() => void>();

export function onDeploymentWake(fn: () => void): () => void {
  listeners.add(fn);
  return () => listeners.delete(fn);
}

export function wakeDeployments(): void {
  for (const fn of listeners) fn();
}
