import type { ServiceDeps } from '../services/deps.js';

/**
 * A recurring piece of background work. The runner leases it by name in the
 * `jobs` table, so among several relman processes on one database only one
 * runs it at a time.
 */
export interface JobDefinition {
  readonly name: string;
  /** How often the runner tries to lease and run it. */
  readonly intervalMs: number;
  run(deps: ServiceDeps): Promise<void>;
}
