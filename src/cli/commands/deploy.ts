import { InvalidArgumentError, type Command } from 'commander';
import type { ApiClient } from '../client.js';
import { CliError, EXIT } from '../errors.js';
import { keyValues, printJson, table } from '../output.js';
import { formatBytes } from '../progress.js';
import { client, globals, show } from './remote.js';

export type Step = {
  position: number;
  step: string;
  name: string;
  channel: string | null;
  kind: string;
  state: string;
  roles: string[];
  description: string | null;
  instructions: string | null;
  command: string[] | null;
  outcome: string;
  by: string | null;
  startedAt: string | null;
  finishedAt: string | null;
  attempts: number;
  evidence: Record<string, unknown> | null;
  actions: string[];
};

export type Run = {
  release: string;
  number: number;
  environment: string;
  environmentName: string;
  state: string;
  packages: { channel: string; version: number; files: { fileName: string; size: number; sha256: string }[] }[];
  startedBy: string;
  startedAt: string;
  finishedAt: string | null;
  steps: Step[];
};

type LogLine = { seq: number; at: string; step: string | null; stream: string; line: string };
type LogPage = { lines: LogLine[]; next: number; state: string };

type Environment = {
  environment: string;
  name: string;
  production: boolean;
  installed: { channel: string; release: string; version: number; files: string[]; since: string; run: number; startedBy: string }[];
  history: {
    release: string;
    run: number;
    state: string;
    startedBy: string;
    startedAt: string;
    finishedAt: string | null;
    plannedDate: string;
  }[];
};

/** How often a follower asks for new log lines. */
const POLL_MS = 700;
/** Log lines asked for at once (the API's maximum). */
const PAGE = 5000;
/** Runs per environment `deploy environments` shows; --json has them all. */
const LAST_RUNS = 10;

const runsPath = (release: string) => `/releases/${encodeURIComponent(release)}/deployments`;
const runPath = (release: string, run: number) => `${runsPath(release)}/${run}`;
const stepPath = (release: string, run: number, step: string, action: string) =>
  `${runPath(release, run)}/steps/${encodeURIComponent(step)}/${action}`;

const isUnderWay = (state: string) => state === 'waiting' || state === 'running';
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function runNumber(what: string) {
  return (v: string): number => {
    const n = Number(v);
    if (!/^\d+$/.test(v) || !Number.isSafeInteger(n) || n < 1) throw new InvalidArgumentError(`${what} must be a run number (1, 2, …)`);
    return n;
  };
}

/** The number of the release's newest run, for the commands whose RUN or --run is optional. */
async function latestRun(api: ApiClient, release: string, app: string | undefined): Promise<Run> {
  const runs = await api.request<Run[]>('GET', runsPath(release), undefined, { app });
  const last = runs[runs.length - 1];
  if (!last)
    throw new CliError(`${release} has no deployment run yet; start one with: relman deploy start ${release} ENVIRONMENT`, EXIT.notFound);
  return last;
}

async function runOf(api: ApiClient, release: string, run: number | undefined, app: string | undefined): Promise<number> {
  return run ?? (await latestRun(api, release, app)).number;
}

const packagesText = (r: Run) =>
  r.packages.map((p) => `${p.channel} v${p.version} (${p.files.map((f) => f.fileName).join(', ') || 'no file'})`).join('; ') || '-';

const seconds = (ms: unknown) => (typeof ms === 'number' ? ` (${(ms / 1000).toFixed(1)} s)` : '');
const exitText = (code: unknown) => (typeof code === 'number' ? `exit code ${code}` : 'no exit code (stopped)');

/** What a step did, as people read it: files with their SHA-256 and how each was verified, exit codes. */
function evidenceLines(e: Record<string, unknown>): string[] {
  const out: string[] = [];
  const files = e.files as { name: string; size: number; sha256: string; verifiedBy: string }[] | undefined;
  if (Array.isArray(files)) {
    out.push(`transferred to ${typeof e.target === 'string' ? e.target : '-'}:`);
    for (const f of files) out.push(`  ${f.name}  ${formatBytes(f.size)}  SHA-256 ${f.sha256}  verified by ${f.verifiedBy}`);
  }
  const commands = e.commands as { name: string; exitCode: number | null; durationMs: number }[] | undefined;
  if (Array.isArray(commands)) for (const c of commands) out.push(`${c.name}: ${exitText(c.exitCode)}${seconds(c.durationMs)}`);
  if ('exitCode' in e) out.push(`${exitText(e.exitCode)}${seconds(e.durationMs)}`);
  const known = new Set(['files', 'target', 'commands', 'exitCode', 'durationMs']);
  const rest = Object.keys(e).filter((k) => !known.has(k));
  if (rest.length > 0) out.push(...keyValues(e, rest).split('\n'));
  return out;
}

/** A run as people read it: the run, its steps, then what needs saying about each step. */
export function runText(r: Run): string {
  const head = keyValues(
    {
      run: `${r.release} run ${r.number} to ${r.environmentName} (${r.environment})`,
      state: r.state,
      started: `${r.startedAt} by ${r.startedBy}`,
      finished: r.finishedAt,
      packages: packagesText(r),
    },
    ['run', 'state', 'started', 'finished', 'packages'],
  );
  const steps = table(
    r.steps.map((s) => ({
      '#': s.position + 1,
      step: s.step,
      name: s.name,
      channel: s.channel,
      kind: s.kind,
      state: s.state,
      by: s.by,
      outcome: s.outcome || '-',
      attempts: s.attempts,
    })),
    ['#', 'step', 'name', 'channel', 'kind', 'state', 'by', 'outcome', 'attempts'],
  );
  const notes: string[] = [];
  for (const s of r.steps) {
    const lines: string[] = [];
    if (s.kind === 'manual' && s.state === 'running') {
      lines.push(`waiting for ${s.roles.join(', ')} since ${s.startedAt ?? '-'}`);
      if (s.instructions) lines.push(`instructions: ${s.instructions}`);
      lines.push(`mark it: relman deploy ack ${r.release} ${s.step} --run ${r.number} --done --note "…"   (or --failed)`);
    }
    if ((s.state === 'failed' || s.state === 'interrupted') && s.outcome) lines.push(`${s.state}: ${s.outcome}`);
    if (s.evidence) lines.push(...evidenceLines(s.evidence));
    if (lines.length > 0) notes.push([`${s.position + 1}. ${s.step}`, ...lines.map((l) => `   ${l}`)].join('\n'));
  }
  return [head, '', steps, ...(notes.length > 0 ? ['', ...notes] : [])].join('\n');
}

const logText = (l: LogLine) => `${l.at}  ${l.step ?? 'run'}  ${l.stream === 'info' ? '' : `${l.stream}: `}${l.line}`;

/** Every line of the run’s log the server holds now, read page by page. */
async function readLog(api: ApiClient, release: string, run: number, app: string | undefined): Promise<LogPage> {
  const lines: LogLine[] = [];
  let after = 0;
  for (;;) {
    const page = await api.request<LogPage>('GET', `${runPath(release, run)}/log`, undefined, { app, after, limit: PAGE });
    lines.push(...page.lines);
    after = page.next;
    if (page.lines.length < PAGE) return { lines, next: after, state: page.state };
  }
}

/**
 * Prints the run's log as it grows, until the run is neither waiting nor
 * running and no line is left; the run's final state.
 */
async function followLog(
  api: ApiClient,
  release: string,
  run: number,
  app: string | undefined,
  print: (l: LogLine) => void,
): Promise<string> {
  let after = 0;
  for (;;) {
    const page = await api.request<LogPage>('GET', `${runPath(release, run)}/log`, undefined, { app, after, limit: PAGE });
    for (const l of page.lines) print(l);
    after = page.next;
    if (page.lines.length === PAGE) continue;
    if (!isUnderWay(page.state) && page.lines.length === 0) return page.state;
    if (isUnderWay(page.state)) await sleep(POLL_MS);
  }
}

/**
 * After following: the run as it ended (JSON with --json, a line otherwise);
 * a run that failed or was interrupted is an error (exit code 6) naming the
 * steps to look at.
 */
async function finish(cmd: Command, api: ApiClient, release: string, run: number): Promise<void> {
  const app = globals(cmd).app;
  const r = await api.request<Run>('GET', runPath(release, run), undefined, { app });
  const ended = r.finishedAt ? ` at ${r.finishedAt}` : '';
  show(cmd, r, () => `run ${r.number} of ${r.release} to ${r.environmentName}: ${r.state}${ended}`);
  if (r.state === 'succeeded') return;
  const stuck = r.steps.filter((s) => s.state === 'failed' || s.state === 'interrupted');
  throw new CliError(
    `run ${r.number} of ${r.release} to ${r.environmentName} is ${r.state}`,
    EXIT.conflict,
    stuck.map(
      (s) =>
        `${s.step} ${s.state}${s.outcome ? `: ${s.outcome}` : ''} — retry: relman deploy retry ${r.release} ${s.step} --run ${r.number}, or skip: relman deploy skip ${r.release} ${s.step} --run ${r.number} --reason …`,
    ),
  );
}

const printLine = (l: LogLine) => process.stdout.write(`${logText(l)}\n`);
const printJsonLine = (l: LogLine) => process.stdout.write(`${JSON.stringify(l)}\n`);

/** A step's change as one line: what happened to it, and where the run stands. */
function movedText(r: Run, step: string, what: string): string {
  const s = r.steps.find((x) => x.step === step);
  return `${r.release} run ${r.number}: ${step} ${what} (step ${s?.state ?? '-'}, run ${r.state})`;
}

/** Deployment runs of a release: start, follow, show, and mark, retry or skip their steps. */
export function registerDeploy(program: Command): void {
  const deploy = program
    .command('deploy')
    .description('deployment runs: take a release’s packages to an environment, step by step, and see what is installed where');

  deploy
    .command('start')
    .description('start a deployment run of the release’s current package versions to an environment')
    .argument('<release>', 'release name')
    .argument('<environment>', 'environment the template plans deployments to, e.g. acceptance-test or production')
    .option('--follow', 'print the run’s log as it goes until the run ends (exit code 6 if it fails or is interrupted)')
    .action(async (release: string, environment: string, opts: { follow?: boolean }, cmd: Command) => {
      const api = client(cmd);
      const { app, json } = globals(cmd);
      const r = await api.request<Run>('POST', runsPath(release), { environment }, { app });
      if (!opts.follow) return show(cmd, r, () => runText(r));
      if (!json) process.stdout.write(`${runText(r)}\n\n`);
      await followLog(api, release, r.number, app, json ? () => undefined : printLine);
      await finish(cmd, api, release, r.number);
    });

  deploy
    .command('list')
    .description('the release’s deployment runs, oldest first')
    .argument('<release>', 'release name')
    .action(async (release: string, _opts: unknown, cmd: Command) => {
      const runs = await client(cmd).request<Run[]>('GET', runsPath(release), undefined, { app: globals(cmd).app });
      show(cmd, runs, () =>
        table(
          runs.map((r) => ({
            run: r.number,
            environment: r.environment,
            state: r.state,
            'started by': r.startedBy,
            'started at': r.startedAt,
            'finished at': r.finishedAt,
          })),
          ['run', 'environment', 'state', 'started by', 'started at', 'finished at'],
        ),
      );
    });

  deploy
    .command('show')
    .description('one deployment run with its steps (the latest without RUN)')
    .argument('<release>', 'release name')
    .argument('[run]', 'run number', runNumber('RUN'))
    .action(async (release: string, run: number | undefined, _opts: unknown, cmd: Command) => {
      const api = client(cmd);
      const app = globals(cmd).app;
      const r =
        run === undefined ? await latestRun(api, release, app) : await api.request<Run>('GET', runPath(release, run), undefined, { app });
      show(cmd, r, () => runText(r));
    });

  deploy
    .command('log')
    .description('a deployment run’s log (the latest run without RUN)')
    .argument('<release>', 'release name')
    .argument('[run]', 'run number', runNumber('RUN'))
    .option('--follow', 'print new lines as they come until the run ends (with --json: one JSON object a line; exit code 6 if it fails)')
    .action(async (release: string, run: number | undefined, opts: { follow?: boolean }, cmd: Command) => {
      const api = client(cmd);
      const { app, json } = globals(cmd);
      const n = await runOf(api, release, run, app);
      if (opts.follow) {
        const state = await followLog(api, release, n, app, json ? printJsonLine : printLine);
        if (json) {
          if (!isUnderWay(state) && state !== 'succeeded') throw new CliError(`run ${n} of ${release} is ${state}`, EXIT.conflict);
          return;
        }
        return finish(cmd, api, release, n);
      }
      const log = await readLog(api, release, n, app);
      if (json) return printJson(log);
      process.stdout.write(log.lines.length > 0 ? `${log.lines.map(logText).join('\n')}\n` : '(no log lines)\n');
    });

  deploy
    .command('ack')
    .description('mark a manual step done or failed (a failed step needs --note)')
    .argument('<release>', 'release name')
    .argument('<step>', 'step id, e.g. install-database')
    .option('--done', 'the step is done')
    .option('--failed', 'the step failed (say what went wrong with --note)')
    .option('--note <text>', 'what was done, or what went wrong')
    .option('--run <n>', 'run number (default: the latest run of the release)', runNumber('--run'))
    .action(
      async (release: string, step: string, opts: { done?: boolean; failed?: boolean; note?: string; run?: number }, cmd: Command) => {
        if (opts.done === opts.failed) throw new CliError('give exactly one of --done and --failed', EXIT.usage);
        if (opts.failed && (opts.note ?? '').trim() === '')
          throw new CliError('a failed step needs --note saying what went wrong', EXIT.usage);
        const api = client(cmd);
        const app = globals(cmd).app;
        const n = await runOf(api, release, opts.run, app);
        const outcome = opts.done ? 'done' : 'failed';
        const body = { outcome, ...(opts.note !== undefined ? { note: opts.note } : {}) };
        const r = await api.request<Run>('POST', stepPath(release, n, step, 'ack'), body, { app });
        show(cmd, r, () => movedText(r, step, `marked ${outcome}`));
      },
    );

  deploy
    .command('retry')
    .description('try a failed or interrupted step again')
    .argument('<release>', 'release name')
    .argument('<step>', 'step id')
    .option('--run <n>', 'run number (default: the latest run of the release)', runNumber('--run'))
    .option('--comment <text>', 'why, or what was fixed')
    .action(async (release: string, step: string, opts: { run?: number; comment?: string }, cmd: Command) => {
      const api = client(cmd);
      const app = globals(cmd).app;
      const n = await runOf(api, release, opts.run, app);
      const body = opts.comment !== undefined ? { comment: opts.comment } : {};
      const r = await api.request<Run>('POST', stepPath(release, n, step, 'retry'), body, { app });
      show(cmd, r, () => movedText(r, step, 'to be tried again'));
    });

  deploy
    .command('skip')
    .description('skip a waiting, failed or interrupted step, with the reason')
    .argument('<release>', 'release name')
    .argument('<step>', 'step id')
    .requiredOption('--reason <text>', 'why the run does not need the step')
    .option('--run <n>', 'run number (default: the latest run of the release)', runNumber('--run'))
    .action(async (release: string, step: string, opts: { run?: number; reason: string }, cmd: Command) => {
      if (opts.reason.trim() === '') throw new CliError('--reason must say why the step is skipped', EXIT.usage);
      const api = client(cmd);
      const app = globals(cmd).app;
      const n = await runOf(api, release, opts.run, app);
      const r = await api.request<Run>('POST', stepPath(release, n, step, 'skip'), { reason: opts.reason }, { app });
      show(cmd, r, () => movedText(r, step, 'skipped'));
    });

  deploy
    .command('environments')
    .description('what is installed in each environment now, and the last runs to it')
    .action(async (_opts: unknown, cmd: Command) => {
      const envs = await client(cmd).request<Environment[]>('GET', '/environments', undefined, { app: globals(cmd).app });
      const indent = (text: string) =>
        text
          .split('\n')
          .map((l) => `  ${l}`)
          .join('\n');
      show(cmd, envs, () =>
        envs
          .map((e) => {
            const installed = table(
              e.installed.map((i) => ({ channel: i.channel, release: i.release, version: i.version, since: i.since, run: i.run })),
              ['channel', 'release', 'version', 'since', 'run'],
            );
            const last = e.history.slice(0, LAST_RUNS);
            const runs = table(
              last.map((h) => ({
                release: h.release,
                run: h.run,
                state: h.state,
                'planned date': h.plannedDate,
                'finished at': h.finishedAt,
              })),
              ['release', 'run', 'state', 'planned date', 'finished at'],
            );
            const more =
              e.history.length > last.length ? `\n  (${e.history.length - last.length} older run(s); --json lists them all)` : '';
            return [
              `${e.name} (${e.environment})${e.production ? ' — production' : ''}`,
              ' installed:',
              indent(installed),
              ' last runs:',
              `${indent(runs)}${more}`,
            ].join('\n');
          })
          .join('\n\n'),
      );
    });
}
