import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import {
  DEFAULT_KILL_GRACE_MS,
  LAST_LINES,
  type CommandResult,
  type CommandSpec,
  type OutputStream,
  type RunCommandOptions,
} from './command-types.js';
import { commandEnvironment } from './environment.js';
import { LineSplitter } from './line-splitter.js';
import { assertCommandSpec } from './validate-spec.js';

/** How often a stopped command's process group is looked at until it is gone. */
const GROUP_POLL_MS = 50;

/**
 * Runs one command on this host and reports how it ended; never throws for
 * the command's sake (a program that cannot be started is a result too), only
 * for a spec `validateCommandSpec` refuses.
 *
 * - The program is started directly from `argv` (no shell), in a process group
 *   of its own, stdin closed, with the minimal environment of `commandEnvironment`.
 * - stdout and stderr are passed to `onLine` line by line as they arrive; the
 *   result keeps the last `LAST_LINES` of both.
 * - On timeout or abort the whole process group gets SIGTERM, and SIGKILL
 *   `killGraceMs` later if any of it is still there.
 * - The promise settles once the program has exited and its output is closed
 *   (and, when it was stopped, once its process group is gone or was SIGKILLed).
 */
export async function runCommand(spec: CommandSpec, opts: RunCommandOptions = {}): Promise<CommandResult> {
  assertCommandSpec(spec);
  const started = performance.now();
  const lastLines: string[] = [];
  const keep = (line: string) => {
    lastLines.push(line);
    if (lastLines.length > LAST_LINES) lastLines.shift();
  };
  const elapsed = () => Math.round(performance.now() - started);
  const program = spec.argv[0] ?? '';

  if (opts.signal?.aborted) {
    keep(`not started: ${program} was cancelled before it ran`);
    return { exitCode: null, signal: null, timedOut: false, aborted: true, durationMs: 0, lastLines };
  }

  const notStarted = (err: unknown): CommandResult => {
    keep(`cannot run ${program}: ${startFailure(err, spec)}`);
    return { exitCode: null, signal: null, timedOut: false, aborted: false, durationMs: elapsed(), lastLines };
  };

  let child: ChildProcess;
  try {
    child = spawn(program, spec.argv.slice(1), {
      cwd: spec.cwd,
      env: commandEnvironment(spec.env),
      shell: false,
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
      windowsHide: true,
    });
  } catch (err) {
    return notStarted(err);
  }

  return new Promise<CommandResult>((resolve) => {
    const pid = child.pid;
    let settled = false;
    let stopping: 'timeout' | 'abort' | null = null;
    let graceOver = false;
    let closed: { code: number | null; signal: NodeJS.Signals | null } | null = null;
    let graceTimer: NodeJS.Timeout | undefined;
    let pollTimer: NodeJS.Timeout | undefined;

    const line = (stream: OutputStream) => (text: string) => {
      keep(text);
      try {
        opts.onLine?.(stream, text);
      } catch {
        // A failing listener must not take the command (or relman) down with it.
      }
    };
    const splitters = { stdout: new LineSplitter(line('stdout')), stderr: new LineSplitter(line('stderr')) };
    child.stdout?.on('data', (chunk: Buffer) => splitters.stdout.push(chunk));
    child.stderr?.on('data', (chunk: Buffer) => splitters.stderr.push(chunk));
    child.stdout?.on('end', () => splitters.stdout.end());
    child.stderr?.on('end', () => splitters.stderr.end());

    const signalGroup = (sig: NodeJS.Signals) => {
      if (pid === undefined) return;
      try {
        process.kill(-pid, sig);
      } catch {
        // ESRCH: the group is already gone.
      }
    };
    const groupAlive = () => {
      if (pid === undefined) return false;
      try {
        process.kill(-pid, 0);
        return true;
      } catch (err) {
        return (err as NodeJS.ErrnoException).code === 'EPERM';
      }
    };

    const finish = (result: CommandResult) => {
      if (settled) return;
      settled = true;
      clearTimeout(timeoutTimer);
      clearTimeout(graceTimer);
      clearTimeout(pollTimer);
      opts.signal?.removeEventListener('abort', onAbort);
      resolve(result);
    };
    const settleIfDone = () => {
      if (closed === null) return;
      // A stopped command is done once nothing of its group is left (killed processes may
      // take a moment to be reaped), or once it was SIGKILLed.
      if (stopping !== null && !graceOver && groupAlive()) {
        clearTimeout(pollTimer);
        pollTimer = setTimeout(settleIfDone, GROUP_POLL_MS);
        return;
      }
      splitters.stdout.end();
      splitters.stderr.end();
      finish({
        exitCode: closed.code,
        signal: closed.signal,
        timedOut: stopping === 'timeout',
        aborted: stopping === 'abort',
        durationMs: elapsed(),
        lastLines,
      });
    };

    const stop = (reason: 'timeout' | 'abort') => {
      if (stopping !== null || settled) return;
      stopping = reason;
      signalGroup('SIGTERM');
      graceTimer = setTimeout(() => {
        graceOver = true;
        if (groupAlive()) signalGroup('SIGKILL');
        settleIfDone();
      }, opts.killGraceMs ?? DEFAULT_KILL_GRACE_MS);
    };
    const onAbort = () => stop('abort');
    const timeoutTimer = setTimeout(() => stop('timeout'), spec.timeoutMs);
    opts.signal?.addEventListener('abort', onAbort, { once: true });

    child.on('error', (err) => {
      // Only a failure to start ends the run here; a started process ends with 'close'.
      if (pid === undefined) finish(notStarted(err));
    });
    child.on('close', (code, signal) => {
      if (pid === undefined) return; // not started: 'error' settles
      closed = { code, signal };
      settleIfDone();
    });
  });
}

/** Why a program could not be started, in words an administrator can act on. */
function startFailure(err: unknown, spec: CommandSpec): string {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  // spawn reports a missing working directory as ENOENT of the program.
  if (code === 'ENOENT' && spec.cwd !== undefined && !existsSync(spec.cwd)) return `working directory ${spec.cwd} does not exist`;
  if (code === 'ENOENT') return 'not found';
  if (code === 'EACCES') return 'permission denied (not executable?)';
  if (code === 'ENOTDIR') return 'a part of its path is not a directory';
  return err instanceof Error ? err.message : String(err);
}
