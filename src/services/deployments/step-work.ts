import { targetCommands, targetFor } from '../../db/repositories/deployment-targets.js';
import { runPackages, stepSpec } from '../../db/repositories/deployment-runs.js';
import type { DeploymentRunTable, DeploymentStepTable } from '../../db/schema.js';
import { expandArguments } from '../../domain/deployments/plan.js';
import { runCommand, stepEnvironment, type CommandSpec } from '../../integrations/commands/index.js';
import { transferFiles, type SftpTarget } from '../../integrations/sftp/index.js';
import type { ArtifactStore } from '../../integrations/storage/artifact-store.js';
import type { ServiceDeps } from '../deps.js';
import { packageVariables } from './runs.js';
import { openTargetSecret } from './targets.js';

/** What an automatic step's work came to. */
export type WorkResult =
  | { ok: true; note: string; by: string; evidence: Record<string, unknown> }
  | { ok: false; error: string; by: string; evidence?: Record<string, unknown> };

export type WorkContext = {
  deps: ServiceDeps;
  artifacts: ArtifactStore;
  appKey: string;
  releaseName: string;
  run: DeploymentRunTable;
  step: DeploymentStepTable;
  log: (stream: string, line: string) => void;
  signal: AbortSignal;
  transfer: { retries: number; backoffMs: number };
  killGraceMs: number;
};

async function transferStep(c: WorkContext): Promise<WorkResult> {
  const by = 'relman (sftp)';
  const channel = c.step.channel ?? '';
  const db = c.deps.database.kysely;
  const row = await targetFor(db, c.run.application_id, c.run.environment, channel);
  if (
    !row ||
    row.sftp_host === null ||
    row.sftp_port === null ||
    row.sftp_username === null ||
    row.sftp_directory === null ||
    row.sftp_host_key_fingerprint === null
  )
    return { ok: false, by, error: `the target ${c.run.environment}/${channel} has no SFTP drop location` };
  const secret = await openTargetSecret(c.deps, { app: c.appKey, environment: c.run.environment, channel });
  const target: SftpTarget = {
    host: row.sftp_host,
    port: Number(row.sftp_port),
    username: row.sftp_username,
    directory: row.sftp_directory,
    hostKeyFingerprint: row.sftp_host_key_fingerprint,
    ...(secret?.kind === 'private-key' ? { privateKey: secret.value } : secret?.kind === 'password' ? { password: secret.value } : {}),
  };
  const pkg = runPackages.decode(c.run.packages).find((p) => p.channel === channel);
  if (!pkg || pkg.files.length === 0) return { ok: false, by, error: `the run carries no ${channel} package file` };
  const where = `${target.username}@${target.host}:${target.port}${target.directory}`;
  c.log('info', `sending ${pkg.files.length} file(s) of ${channel} v${pkg.version} to ${where}`);
  const results = await transferFiles(
    target,
    pkg.files.map((f) => ({ localPath: c.artifacts.localPath(f.sha256), remoteName: f.fileName, size: f.size, sha256: f.sha256 })),
    { onLog: (line) => c.log('info', line), retries: c.transfer.retries, backoffMs: c.transfer.backoffMs, signal: c.signal },
  );
  const files = results.map((r) => ({
    name: r.remoteName,
    path: r.remotePath,
    size: r.size,
    sha256: r.sha256,
    verifiedBy: r.verifiedBy,
    attempts: r.attempts,
  }));
  for (const f of files) c.log('info', `${f.name}: verified (${f.verifiedBy}), SHA-256 ${f.sha256}`);
  return { ok: true, by, note: `${files.length} file(s) transferred to ${where} and verified`, evidence: { target: where, files } };
}

function commandFailure(name: string, r: Awaited<ReturnType<typeof runCommand>>): string {
  const why = r.timedOut
    ? 'timed out; its process group was stopped'
    : r.aborted
      ? 'was stopped'
      : r.exitCode === null
        ? `ended by ${r.signal ?? 'a signal'}`
        : `exited with code ${r.exitCode}`;
  const tail = r.lastLines.slice(-5).join('\n');
  return `${name} ${why}${tail ? `; last lines:\n${tail}` : ''}`;
}

async function runOne(
  c: WorkContext,
  name: string,
  spec: CommandSpec,
): Promise<{ ok: boolean; error?: string; exitCode: number | null; durationMs: number }> {
  c.log('info', `$ ${spec.argv.map((a) => (/^[\w@%+=:,./-]+$/.test(a) ? a : JSON.stringify(a))).join(' ')}`);
  const r = await runCommand(spec, { onLine: (stream, line) => c.log(stream, line), signal: c.signal, killGraceMs: c.killGraceMs });
  const ok = r.exitCode === 0 && !r.timedOut && !r.aborted;
  c.log(
    ok ? 'info' : 'error',
    `${name}: ${ok ? 'exit code 0' : (commandFailure('the command', r).split('\n')[0] ?? '')} (${(r.durationMs / 1000).toFixed(1)} s)`,
  );
  return ok
    ? { ok, exitCode: r.exitCode, durationMs: r.durationMs }
    : { ok, error: commandFailure(name, r), exitCode: r.exitCode, durationMs: r.durationMs };
}

function commandEnv(c: WorkContext): Record<string, string> {
  return stepEnvironment({
    release: c.releaseName,
    environment: c.run.environment,
    channel: c.step.channel ?? '',
    packages: packageVariables(runPackages.decode(c.run.packages), (sha) => c.artifacts.localPath(sha)),
  });
}

async function commandStep(c: WorkContext): Promise<WorkResult> {
  const by = 'relman (command)';
  const command = stepSpec.decode(c.step.spec).command;
  if (!command) return { ok: false, by, error: 'the step has no command' };
  const env = commandEnv(c);
  const spec: CommandSpec = {
    argv: expandArguments(command.argv, env),
    env: { ...(command.env ?? {}), ...env },
    timeoutMs: command.timeoutSeconds * 1000,
    ...(command.cwd !== undefined ? { cwd: command.cwd } : {}),
  };
  const r = await runOne(c, c.step.name, spec);
  const evidence = { exitCode: r.exitCode, durationMs: r.durationMs };
  return r.ok
    ? { ok: true, by, note: 'the command exited with code 0', evidence }
    : { ok: false, by, error: r.error ?? 'failed', evidence };
}

async function targetCommandsStep(c: WorkContext): Promise<WorkResult> {
  const by = 'relman (command)';
  const channel = c.step.channel ?? '';
  const row = await targetFor(c.deps.database.kysely, c.run.application_id, c.run.environment, channel);
  const commands = row ? targetCommands.decode(row.commands) : [];
  if (commands.length === 0) return { ok: false, by, error: `the target ${c.run.environment}/${channel} has no commands` };
  const env = commandEnv(c);
  const done: { name: string; exitCode: number | null; durationMs: number }[] = [];
  for (const cmd of commands) {
    const r = await runOne(c, cmd.name, {
      argv: cmd.argv,
      env: { ...(cmd.env ?? {}), ...env },
      timeoutMs: cmd.timeoutSeconds * 1000,
      ...(cmd.cwd !== undefined ? { cwd: cmd.cwd } : {}),
    });
    done.push({ name: cmd.name, exitCode: r.exitCode, durationMs: r.durationMs });
    if (!r.ok) return { ok: false, by, error: r.error ?? 'failed', evidence: { commands: done } };
  }
  return { ok: true, by, note: `${done.length} command(s) exited with code 0`, evidence: { commands: done } };
}

/** Does an automatic step's work; never throws (an error is the step's failure). */
export async function doStepWork(c: WorkContext): Promise<WorkResult> {
  const by = c.step.kind === 'transfer' ? 'relman (sftp)' : 'relman (command)';
  try {
    if (c.step.kind === 'transfer') return await transferStep(c);
    if (c.step.kind === 'command') return await commandStep(c);
    if (c.step.kind === 'target-commands') return await targetCommandsStep(c);
    return { ok: false, by, error: `a ${c.step.kind} step does not run by itself` };
  } catch (err) {
    return { ok: false, by, error: err instanceof Error ? err.message : String(err) };
  }
}
