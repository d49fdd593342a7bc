import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { JobDefinition } from '../../src/jobs/job.js';
import { JobRunner } from '../../src/jobs/runner.js';
import { createDeps } from '../../src/runtime.js';
import type { ServiceDeps } from '../../src/services/deps.js';
import { dialects, open } from '../support/databases.js';
import { harness, type Harness } from '../support/harness.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe.each(dialects)('leased background jobs on $name', ({ name: dialect }) => {
  let h: Harness;
  let other: ServiceDeps;

  beforeAll(async () => {
    h = await harness(dialect);
    // A second connection pool to the same database, as a second relman process has.
    other = createDeps(open(h.scratch));
  });
  afterAll(async () => {
    await other?.database.close();
    await h?.close();
  });

  const jobRow = (name: string) => h.deps.database.kysely.selectFrom('jobs').selectAll().where('name', '=', name).executeTakeFirstOrThrow();

  it('runs a job in one process at a time, and not again within its interval', async () => {
    let running = 0;
    let maxRunning = 0;
    let runs = 0;
    const job: JobDefinition = {
      name: `exclusive-${dialect}`,
      intervalMs: 60_000,
      async run() {
        running++;
        maxRunning = Math.max(maxRunning, running);
        runs++;
        await sleep(150);
        running--;
      },
    };
    const a = new JobRunner(h.deps, [job], { owner: 'process-a' });
    const b = new JobRunner(other, [job], { owner: 'process-b' });
    const outcomes = await Promise.all([a.runOnce(job.name), b.runOnce(job.name), a.runOnce(job.name), b.runOnce(job.name)]);
    expect(outcomes.filter(Boolean)).toHaveLength(1);
    expect(runs).toBe(1);
    expect(maxRunning).toBe(1);
    // Finished, but started less than its interval ago: nobody runs it again yet.
    expect(await b.runOnce(job.name)).toBe(false);
    expect(await jobRow(job.name)).toMatchObject({ runs: 1, lease_owner: null, lease_until: null, last_error: null });
  });

  it('records a failing run and takes over a lease its holder let expire', async () => {
    const job: JobDefinition = {
      name: `failing-${dialect}`,
      intervalMs: 0,
      run() {
        return Promise.reject(new Error('the mail server said no'));
      },
    };
    const errors: string[] = [];
    const a = new JobRunner(h.deps, [job], { owner: 'process-a', tickMs: 1, onError: (_j, e) => errors.push((e as Error).message) });
    expect(await a.runOnce(job.name)).toBe(true);
    expect(errors).toEqual(['the mail server said no']);
    const row = await jobRow(job.name);
    expect(row).toMatchObject({ runs: 1, last_error: 'the mail server said no', lease_owner: null });
    expect(row.last_finished_at).not.toBeNull();

    // A process died holding the lease: until it expires nobody runs the job, then someone does.
    const future = new Date(Date.now() + 60_000).toISOString();
    await h.deps.database.kysely
      .updateTable('jobs')
      .set({ lease_owner: 'dead', lease_until: future })
      .where('name', '=', job.name)
      .execute();
    expect(await a.runOnce(job.name)).toBe(false);
    // The dead process took its lease a while ago (not in this very millisecond, which the job's interval would refuse).
    const past = new Date(Date.now() - 1000).toISOString();
    await h.deps.database.kysely
      .updateTable('jobs')
      .set({ lease_until: past, last_started_at: new Date(Date.now() - 2000).toISOString() })
      .where('name', '=', job.name)
      .execute();
    expect(await a.runOnce(job.name)).toBe(true);
    expect(await jobRow(job.name)).toMatchObject({ runs: 2, lease_owner: null });
  });

  it('runs jobs on its timer until stopped, and stop waits for the running one', async () => {
    let runs = 0;
    let inRun = false;
    const job: JobDefinition = {
      name: `ticking-${dialect}`,
      intervalMs: 0,
      async run() {
        inRun = true;
        runs++;
        await sleep(80);
        inRun = false;
      },
    };
    const runner = new JobRunner(h.deps, [job], { tickMs: 20 });
    runner.start();
    const deadline = Date.now() + 10_000;
    while (runs < 3 && Date.now() < deadline) await sleep(10);
    expect(runs).toBeGreaterThanOrEqual(3);
    while (!inRun && Date.now() < deadline) await sleep(2);
    await runner.stop();
    expect(inRun).toBe(false);
    const after = runs;
    await sleep(150);
    expect(runs).toBe(after);
  });
});
