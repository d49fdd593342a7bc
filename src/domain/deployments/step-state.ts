/**
 * The states of a deployment run's steps, and what may happen to them (P6,
 * P7, P10), without I/O. A step is done only when its work finished: a step
 * that was running when relman stopped is interrupted, never done, and may be
 * retried.
 */

export const STEP_STATES = ['waiting', 'running', 'done', 'failed', 'skipped', 'interrupted'] as const;
export type StepState = (typeof STEP_STATES)[number];

export type StepMove =
  /** Work begins (a transfer or a command starts; a manual step is handed to its people). */
  | 'start'
  /** The work finished and was verified. */
  | 'finish'
  /** The work ended and did not succeed. */
  | 'fail'
  /** Not needed for this run, with a reason. */
  | 'skip'
  /** relman stopped while the step ran: what happened is unknown. */
  | 'interrupt'
  /** A failed or interrupted step is tried again. */
  | 'retry';

const MOVES: Record<StepMove, { from: readonly StepState[]; to: StepState }> = {
  start: { from: ['waiting'], to: 'running' },
  finish: { from: ['running'], to: 'done' },
  fail: { from: ['running'], to: 'failed' },
  skip: { from: ['waiting', 'failed', 'interrupted'], to: 'skipped' },
  interrupt: { from: ['running'], to: 'interrupted' },
  retry: { from: ['failed', 'interrupted'], to: 'waiting' },
};

/** Where a move takes a step, or why it may not be made. */
export function stepAfter(state: StepState, move: StepMove): { ok: true; state: StepState } | { ok: false; reason: string } {
  const rule = MOVES[move];
  if (!rule.from.includes(state)) {
    return { ok: false, reason: `a ${state} step cannot ${move}; only a step that is ${rule.from.join(' or ')} can` };
  }
  return { ok: true, state: rule.to };
}

/** A step whose outcome is settled: nothing more happens to it unless it is retried. */
export const isSettled = (state: StepState): boolean => state === 'done' || state === 'skipped';

export const RUN_STATES = ['waiting', 'running', 'succeeded', 'failed', 'interrupted'] as const;
export type RunState = (typeof RUN_STATES)[number];

/**
 * A run's state from its steps, in order: succeeded when every step is done
 * or skipped; failed or interrupted as soon as one step is (the steps after it
 * wait for a retry or a skip); running while a step runs or some are settled;
 * waiting before anything happened.
 */
export function runState(steps: readonly StepState[]): RunState {
  if (steps.length > 0 && steps.every(isSettled)) return 'succeeded';
  if (steps.includes('failed')) return 'failed';
  if (steps.includes('interrupted')) return 'interrupted';
  if (steps.includes('running') || steps.some(isSettled)) return 'running';
  return 'waiting';
}

/**
 * The step to start next: the first one still waiting, provided every step
 * before it is settled (steps run one after another). Null when a step runs,
 * one failed or was interrupted, or nothing is left.
 */
export function nextStep(steps: readonly StepState[]): number | null {
  for (let i = 0; i < steps.length; i++) {
    const s = steps[i]!;
    if (isSettled(s)) continue;
    return s === 'waiting' ? i : null;
  }
  return null;
}

/** What a restart makes of the steps that were running when relman stopped. */
export function afterRestart(steps: readonly StepState[]): StepState[] {
  return steps.map((s) => (s === 'running' ? 'interrupted' : s));
}
