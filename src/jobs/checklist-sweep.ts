import { sweepChecklist } from '../services/checklist/sweep.js';
import type { JobDefinition } from './job.js';

/** Reminds and escalates overdue checklist tasks (P14); see services/checklist/sweep.ts. */
export const checklistSweepJob: JobDefinition = {
  name: 'checklist-sweep',
  intervalMs: 60_000,
  async run(deps) {
    await sweepChecklist(deps);
  },
};
