import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { CliError, EXIT } from '../errors.js';
import { client, globals, helpdeskRef, show } from './remote.js';

type Row = Record<string, unknown>;

const releasePath = (name: string, rest: string) => `/releases/${encodeURIComponent(name)}${rest}`;
const collect = (v: string, previous: string[] = []) => [...previous, v];

/** `summary=Fixes the totals` → [summary, text]; repeated flags collect. */
function part(value: string, previous: [string, string][] = []): [string, string][] {
  const i = value.indexOf('=');
  if (i <= 0) throw new CliError(`--part must be ID=TEXT (e.g. summary="Fixes the totals"), got "${value}"`, EXIT.usage);
  return [...previous, [value.slice(0, i), value.slice(i + 1)]];
}

type ReportFile = { parts?: Record<string, string>; helpdeskRefs?: string[] };

function readReportFile(file: string): ReportFile {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new CliError(`cannot read ${file}: ${(err as Error).message}`, EXIT.usage);
  }
  const r = parsed as ReportFile | null;
  const partsOk =
    r?.parts === undefined ||
    (typeof r.parts === 'object' && r.parts !== null && Object.values(r.parts).every((v) => typeof v === 'string'));
  const refsOk = r?.helpdeskRefs === undefined || (Array.isArray(r.helpdeskRefs) && r.helpdeskRefs.every((v) => typeof v === 'string'));
  if (typeof r !== 'object' || r === null || Array.isArray(r) || !partsOk || !refsOk) {
    throw new CliError(`${file} must hold {"parts": {"ID": "text", …}, "helpdeskRefs": ["IR-1", …]}`, EXIT.usage);
  }
  return r;
}

/** Recording the facts the gates are evaluated from: packages, tests, issues, notices, reports, steps. */
export function registerLifecycleFacts(program: Command): void {
  const pkg = program.command('package').description('package versions of a release, per channel');
  pkg
    .command('record <release>')
    .description('record a new package version for a channel (voids the approvals a new package voids)')
    .requiredOption('--channel <channel>', 'channel, e.g. database or web')
    .requiredOption('--label <label>', 'what the package is, e.g. the release file’s name')
    .action(async (name: string, opts: { channel: string; label: string }, cmd: Command) => {
      const p = await client(cmd).request<Row & { voidedApprovals: number }>('POST', releasePath(name, '/packages'), opts, {
        app: globals(cmd).app,
      });
      const voided = p.voidedApprovals > 0 ? ` (voided ${p.voidedApprovals} approval(s))` : '';
      show(cmd, p, () => `recorded ${String(p.channel)} package v${String(p.version)} "${String(p.label)}" on ${name}${voided}`);
    });

  const test = program.command('test').description('test attempts of work items (P8)');
  test
    .command('record <release> <item>')
    .description('record a test attempt: --passed, or --failed with its --cause')
    .requiredOption('--env <environment>', 'environment, e.g. development or acceptance-test')
    .option('--passed', 'the item passed')
    .option('--failed', 'the item failed (give --cause)')
    .option('--cause <cause>', 'why it failed: fix, setup, configuration, data (from the template)')
    .option('--notes <text>', 'notes')
    .action(
      async (
        name: string,
        item: string,
        opts: { env: string; passed?: boolean; failed?: boolean; cause?: string; notes?: string },
        cmd: Command,
      ) => {
        if (opts.passed === opts.failed) throw new CliError('give exactly one of --passed and --failed', EXIT.usage);
        if (opts.failed && !opts.cause)
          throw new CliError('a failed attempt needs --cause (e.g. fix, setup, configuration, data)', EXIT.usage);
        const t = await client(cmd).request<{ item: string; result: string; environment: string; cause: string | null }>(
          'POST',
          releasePath(name, '/tests'),
          { item, environment: opts.env, result: opts.passed ? 'passed' : 'failed', cause: opts.cause, notes: opts.notes },
          { app: globals(cmd).app },
        );
        const cause = t.cause ? ` (${t.cause})` : '';
        show(cmd, t, () => `${t.item} ${t.result} in ${t.environment}${cause} on ${name}`);
      },
    );

  const issue = program.command('issue').description('issues raised on a release');
  issue
    .command('raise <release>')
    .description('raise an issue (category from the template: at-issue, project-issue)')
    .requiredOption('--category <category>', 'issue category')
    .requiredOption('--title <title>', 'title')
    .option('--description <text>', 'description')
    .action(async (name: string, opts: { category: string; title: string; description?: string }, cmd: Command) => {
      const i = await client(cmd).request<Row>('POST', releasePath(name, '/issues'), opts, { app: globals(cmd).app });
      show(cmd, i, () => `raised issue #${String(i.number)} on ${name}: ${String(i.title)}`);
    });
  issue
    .command('resolve <release> <number>')
    .description('resolve an issue, or close it as won’t fix (with --reason), or --reopen it')
    .option('--wont-fix', 'close it without fixing it (needs --reason)')
    .option('--reopen', 'open it again')
    .option('--reason <text>', 'the resolution, or why it will not be fixed')
    .action(async (name: string, number: string, opts: { wontFix?: boolean; reopen?: boolean; reason?: string }, cmd: Command) => {
      if (opts.wontFix && opts.reopen) throw new CliError('give at most one of --wont-fix and --reopen', EXIT.usage);
      if (!/^[1-9]\d{0,6}$/.test(number))
        throw new CliError(`the issue number must be a positive whole number, got "${number}"`, EXIT.usage);
      const n = Number(number);
      const status = opts.wontFix ? 'wont-fix' : opts.reopen ? 'open' : 'resolved';
      const i = await client(cmd).request<Row>(
        'PATCH',
        releasePath(name, `/issues/${n}`),
        { status, resolution: opts.reason },
        { app: globals(cmd).app },
      );
      show(cmd, i, () => `issue #${String(i.number)} on ${name} is ${String(i.status)}`);
    });

  program
    .command('notify <release> <system>')
    .description(
      'record that an external system (e.g. cats, meds) was notified outside relman — by phone, in a meeting or otherwise; ' +
        'an e-mail counts when relman sends it: mail send NAME --template external-notice --system ID',
    )
    .requiredOption('--by <means>', 'how the notice was made: phone, meeting or other')
    .requiredOption('--note <text>', 'who was told, and what')
    .action(async (name: string, system: string, opts: { by: string; note: string }, cmd: Command) => {
      const n = await client(cmd).request<Row>(
        'POST',
        releasePath(name, '/notifications'),
        { system, means: opts.by, note: opts.note },
        { app: globals(cmd).app },
      );
      show(cmd, n, () => `recorded for ${name}: ${String(n.summary)}`);
    });

  const report = program.command('report').description('reports of a release, e.g. the Emergency Release Report');
  report
    .command('write <release> <report>')
    .description('write (or rewrite) a report from --part ID=TEXT flags and/or a JSON --file')
    .option('--part <ID=TEXT>', 'one part of the report (repeatable)', part)
    .option('--ref <ref>', 'a help-desk record it refers to, e.g. IR-1 (repeatable)', (v: string, prev?: string[]) =>
      collect(helpdeskRef(v), prev),
    )
    .option('--file <report.json>', 'JSON {"parts": {…}, "helpdeskRefs": […]}; --part and --ref add to it')
    .action(async (name: string, id: string, opts: { part?: [string, string][]; ref?: string[]; file?: string }, cmd: Command) => {
      const base = opts.file ? readReportFile(opts.file) : {};
      const parts = { ...(base.parts ?? {}), ...Object.fromEntries(opts.part ?? []) };
      const fromFile = (base.helpdeskRefs ?? []).map((r) => helpdeskRef(r, `${opts.file ?? ''}: helpdeskRefs`));
      const helpdeskRefs = [...fromFile, ...(opts.ref ?? [])];
      const r = await client(cmd).request<Row>(
        'PUT',
        releasePath(name, `/reports/${encodeURIComponent(id)}`),
        { parts, helpdeskRefs },
        { app: globals(cmd).app },
      );
      show(
        cmd,
        r,
        () => `wrote ${String(r.report)} on ${name} (${Object.keys(parts).length} part(s), refs: ${helpdeskRefs.join(', ') || 'none'})`,
      );
    });

  const step = program.command('step').description('per-channel steps (P10): verify-package, deploy, confirm-deployment …');
  step
    .command('record <release> <step>')
    .description('record that a step was done on a channel')
    .requiredOption('--channel <channel>', 'channel, e.g. database or web')
    .option('--note <text>', 'note')
    .action(async (name: string, stepId: string, opts: { channel: string; note?: string }, cmd: Command) => {
      const s = await client(cmd).request<{ step: string; channel: string; packageVersion: number | null }>(
        'POST',
        releasePath(name, '/steps'),
        { step: stepId, channel: opts.channel, note: opts.note },
        { app: globals(cmd).app },
      );
      const pkgVersion = s.packageVersion === null ? '' : `, package v${s.packageVersion}`;
      show(cmd, s, () => `recorded ${s.step} (${s.channel}${pkgVersion}) on ${name}`);
    });
}
