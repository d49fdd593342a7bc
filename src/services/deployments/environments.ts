import { runPackages, runsOfApplication, stepsOfRuns } from '../../db/repositories/deployment-runs.js';
import type { Actor } from '../actor.js';
import { resolveApplicationForRead } from '../applications.js';
import type { ServiceDeps } from '../deps.js';
import { shownState } from './run-view.js';
import { runState } from '../../domain/deployments/step-state.js';

export type InstalledView = {
  channel: string;
  release: string;
  version: number;
  files: string[];
  /** When the run that installed it finished. */
  since: string;
  run: number;
  startedBy: string;
};

export type EnvironmentRunView = {
  release: string;
  run: number;
  state: string;
  startedBy: string;
  startedAt: string;
  finishedAt: string | null;
  /** The release's planned date, against which `finishedAt` is the actual installation. */
  plannedDate: string;
  packages: { channel: string; version: number }[];
};

export type EnvironmentView = {
  environment: string;
  name: string;
  production: boolean;
  /** Per channel, what is installed now: the package of the newest finished run that did a step of that channel. */
  installed: InstalledView[];
  /** Runs to the environment, newest first. */
  history: EnvironmentRunView[];
};

const HISTORY = 500;

/**
 * What is installed in each environment of an application (P7), and how it
 * got there: per channel, the release and package version of the newest run
 * that finished with a step of that channel done; then every run, with the
 * release's planned date next to the actual one.
 */
export async function environmentsView(deps: ServiceDeps, _actor: Actor, app: string | undefined): Promise<EnvironmentView[]> {
  const ctx = await resolveApplicationForRead(deps, app);
  const db = deps.database.kysely;
  const runs = await runsOfApplication(db, ctx.app.id, HISTORY);
  const steps = await stepsOfRuns(
    db,
    runs.map((r) => r.id),
  );
  const now = deps.clock();
  return ctx.template.environments
    .slice()
    .sort((a, b) => a.order - b.order)
    .map((env) => {
      const mine = runs.filter((r) => r.environment === env.id);
      const installed = new Map<string, InstalledView>();
      const finished = mine
        .filter((r) => r.state === 'succeeded' && r.finished_at !== null)
        .sort((a, b) => (b.finished_at ?? '').localeCompare(a.finished_at ?? ''));
      for (const r of finished) {
        const done = new Set(steps.filter((s) => s.run_id === r.id && s.state === 'done' && s.channel !== null).map((s) => s.channel));
        for (const p of runPackages.decode(r.packages)) {
          if (!done.has(p.channel) || installed.has(p.channel)) continue;
          installed.set(p.channel, {
            channel: p.channel,
            release: r.release_name,
            version: p.version,
            files: p.files.map((f) => f.fileName),
            since: r.finished_at ?? '',
            run: r.number,
            startedBy: r.started_by,
          });
        }
      }
      return {
        environment: env.id,
        name: env.name,
        production: env.production === true,
        installed: [...installed.values()].sort((a, b) => a.channel.localeCompare(b.channel)),
        history: mine.map((r) => ({
          release: r.release_name,
          run: r.number,
          state: runState(steps.filter((s) => s.run_id === r.id).map((s) => shownState(s, now))),
          startedBy: r.started_by,
          startedAt: r.started_at,
          finishedAt: r.finished_at,
          plannedDate: r.planned_date,
          packages: runPackages.decode(r.packages).map((p) => ({ channel: p.channel, version: p.version })),
        })),
      };
    });
}
