import { randomUUID } from 'node:crypto';
import { ensureJobRow, finishJob, leaseJob } from '../db/repositories/jobs.js';
import type { ServiceDeps } from '../services/deps.js';
import type { JobDefinition } from './job.js';

export type RunnerOptions = {
  /** Who holds the leases; a random id per process by default. */
  owner?: string | undefined;
  /** How often each job is tried; a job with a longer interval of its own is tried at that. */
  tickMs?: number | undefined;
  /** How long a lease lasts: a process that dies mid-run blocks the job at most this long. */
  leaseMs?: number | undefined;
  /** Told about a run that threw (also recorded in the job's row). */
  onError?: ((job: string, err: unknown) => void) | undefined;
};

/** Longer than a run of any job takes (the outbox job stops claiming after 2 minutes and a batch's sends). */
const DEFAULT_LEASE_MS = 20 * 60_000;

/**
 * Runs background jobs. Every tick it tries to lease each job by name in the
 * `jobs` table (free or expired lease, and not started within its interval by
 * anyone), runs it, records the run and gives the lease back. With several
 * relman processes on one database, each run of a job happens in exactly one
 * of them. Timers are unref'd: they never keep the process alive.
 */
export class JobRunner {
  readonly owner: string;
  readonly #deps: ServiceDeps;
  readonly #jobs: readonly JobDefinition[];
  readonly #tickMs: number;
  readonly #leaseMs: number;
  readonly #onError: RunnerOptions['onError'];
  readonly #timers = new Map<string, NodeJS.Timeout>();
  readonly #running = new Set<Promise<unknown>>();
  #started = false;
  #prepared: Promise<void> | undefined;

  constructor(deps: ServiceDeps, jobs: readonly JobDefinition[], options: RunnerOptions = {}) {
    this.#deps = deps;
    this.#jobs = jobs;
    this.owner = options.owner ?? `${process.pid}-${randomUUID()}`;
    this.#tickMs = options.tickMs ?? 5000;
    this.#leaseMs = options.leaseMs ?? DEFAULT_LEASE_MS;
    this.#onError = options.onError;
  }

  start(): void {
    if (this.#started) return;
    this.#started = true;
    for (const job of this.#jobs) this.#schedule(job, Math.min(250, this.#tickMs));
  }

  /** Stops scheduling and waits for a job that is running to finish. */
  async stop(): Promise<void> {
    this.#started = false;
    for (const t of this.#timers.values()) clearTimeout(t);
    this.#timers.clear();
    while (this.#running.size > 0) await Promise.allSettled([...this.#running]);
  }

  #schedule(job: JobDefinition, delayMs: number): void {
    if (!this.#started) return;
    const timer = setTimeout(() => {
      this.#timers.delete(job.name);
      void this.#track(this.runOnce(job.name)).finally(() => this.#schedule(job, this.#intervalOf(job)));
    }, delayMs);
    timer.unref();
    this.#timers.set(job.name, timer);
  }

  #intervalOf(job: JobDefinition): number {
    return Math.max(this.#tickMs, job.intervalMs);
  }

  #track<T>(p: Promise<T>): Promise<T> {
    this.#running.add(p);
    void p.finally(() => this.#running.delete(p)).catch(() => undefined);
    return p;
  }

  /**
   * Tries to lease and run one job now; false when another process holds it
   * or ran it within its interval. Never throws: a failing run is recorded.
   */
  async runOnce(name: string): Promise<boolean> {
    const job = this.#jobs.find((j) => j.name === name);
    if (!job) throw new Error(`no job "${name}"`);
    const db = this.#deps.database.kysely;
    try {
      this.#prepared ??= (async () => {
        for (const j of this.#jobs) await ensureJobRow(db, j.name);
      })();
      await this.#prepared;
    } catch (err) {
      this.#prepared = undefined;
      this.#onError?.(name, err);
      return false;
    }
    const now = this.#deps.clock();
    let leased: boolean;
    try {
      leased = await leaseJob(db, name, {
        owner: this.owner,
        now: now.toISOString(),
        leaseUntil: new Date(now.getTime() + this.#leaseMs).toISOString(),
        // A little slack, so a tick that comes a few milliseconds early still runs.
        notStartedSince: new Date(now.getTime() - this.#intervalOf(job) + Math.min(50, this.#tickMs / 2)).toISOString(),
      });
    } catch (err) {
      this.#onError?.(name, err);
      return false;
    }
    if (!leased) return false;
    let error: string | null = null;
    try {
      await job.run(this.#deps);
    } catch (err) {
      error = err instanceof Error ? err.message : String(err);
      this.#onError?.(name, err);
    }
    try {
      await finishJob(db, name, this.owner, this.#deps.clock().toISOString(), error === null ? null : error.slice(0, 2000));
    } catch (err) {
      // The lease expires by itself.
      this.#onError?.(name, err);
    }
    return true;
  }
}
