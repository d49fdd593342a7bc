import type { JobDefinition } from './job.js';

/** Reminds and escalates overdue checklist tasks (P14). */
export const checklistSweepJob: JobDefinition = {
  name: 'checklist-sweep',
  intervalMs: 60_000,
  async run() {
    // implemented with the checklist
  },
};
