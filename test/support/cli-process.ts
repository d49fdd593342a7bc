import { execFile, spawn, type ChildProcess } from 'node:child_process';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root; `bin/relman.js` runs the built CLI from dist/. */
export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const BIN = path.join(ROOT, 'bin', 'relman.js');

/** A port nobody listens on right now: bind port 0, note the port, let it go. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

/** A config folder that does not exist: a child never reads the sign-in of whoever runs the tests. */
const NO_CONFIG = path.join(os.tmpdir(), `relman-no-config-${process.pid}`);

/** The caller's environment without any relman setting (nor stored sign-in) that could leak into a child. */
export function cleanEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const base = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('RELMAN_') && k !== 'DATABASE_URL'));
  return { ...base, TZ: 'UTC', XDG_CONFIG_HOME: NO_CONFIG, ...extra };
}

export type CliResult = { code: number; stdout: string; stderr: string };

/** Longest a command may take, as for a spawned one: then it is killed and its code is -1. */
const CLI_TIMEOUT_MS = 30_000;

/**
 * Runs `node bin/relman.js …` as a process of its own in `cwd`; stdin gets
 * `input` (or nothing) and is closed. For what only a real process shows
 * (start-up, module loading, how it exits); `runCli` for everything else.
 */
export function spawnCli(args: string[], env: NodeJS.ProcessEnv, input = '', cwd = ROOT): Promise<CliResult> {
  return new Promise((resolve) => {
    const child = execFile(process.execPath, [BIN, ...args], { cwd, env, timeout: CLI_TIMEOUT_MS }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === 'number' ? err.code : -1) : 0;
      resolve({ code, stdout, stderr });
    });
    child.stdin?.end(input);
  });
}

/** test/support/cli-runner.mjs: a CLI process that runs one command after the other. */
const RUNNER = path.join(ROOT, 'test', 'support', 'cli-runner.mjs');

/** `ends`: the command ended the runner's process (process.exit, a crash); it takes no more commands. */
type RunnerAnswer = CliResult & { stray: string; ends: boolean };

/** A started cli-runner.mjs, idle or running one command. */
class CliRunner {
  private readonly child: ChildProcess;
  private output = '';
  private pending: { resolve: (a: RunnerAnswer) => void; reject: (e: Error) => void } | undefined;
  readonly ready: Promise<void>;
  dead = false;

  constructor() {
    this.child = spawn(process.execPath, [RUNNER], { cwd: ROOT, env: cleanEnv(), stdio: ['ignore', 'pipe', 'pipe', 'ipc'] });
    this.child.stdout?.on('data', (d: Buffer) => (this.output += d.toString()));
    this.child.stderr?.on('data', (d: Buffer) => (this.output += d.toString()));
    this.ready = new Promise((resolve, reject) => {
      this.child.once('message', () => resolve());
      this.child.once('exit', (code, signal) =>
        reject(new Error(`the CLI runner ended (${code ?? signal}) before it was ready:\n${this.output}`)),
      );
    });
    this.child.on('message', (msg: RunnerAnswer | { ready: true }) => {
      if ('ready' in msg) return;
      const p = this.pending;
      this.pending = undefined;
      if (msg.ends) this.dead = true;
      this.idle();
      p?.resolve(msg);
    });
    // A failed send to a process that has just ended: its 'exit' says so to the command waiting.
    this.child.on('error', (err) => {
      this.dead = true;
      this.output += `\n${err.message}`;
    });
    this.child.on('exit', (code, signal) => {
      this.dead = true;
      const p = this.pending;
      this.pending = undefined;
      p?.reject(new Error(`the CLI runner ended (${code ?? signal}) while running a command:\n${this.output}`));
    });
    this.idle();
  }

  /** An idle runner does not keep the test process alive. */
  private idle(): void {
    this.child.unref();
    (this.child.channel as { unref?: () => void } | null | undefined)?.unref?.();
  }

  async run(args: string[], env: NodeJS.ProcessEnv, input: string, cwd: string): Promise<CliResult | undefined> {
    await this.ready;
    this.child.ref();
    (this.child.channel as { ref?: () => void } | null | undefined)?.ref?.();
    const answer = new Promise<RunnerAnswer>((resolve, reject) => (this.pending = { resolve, reject }));
    this.child.send({ args, env, cwd, input });
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<undefined>((resolve) => {
      timer = setTimeout(() => resolve(undefined), CLI_TIMEOUT_MS);
    });
    try {
      const a = await Promise.race([answer, timedOut]);
      if (a === undefined) {
        this.kill();
        return undefined;
      }
      if (a.stray !== '') {
        this.kill();
        throw new Error(`relman wrote after an earlier command had finished:\n${a.stray}`);
      }
      return { code: a.code, stdout: a.stdout, stderr: a.stderr };
    } finally {
      clearTimeout(timer);
    }
  }

  /** Ends the process; a command still running gets no answer from it (the caller has given up on it). */
  kill(): void {
    this.dead = true;
    this.pending = undefined;
    this.child.kill('SIGKILL');
  }
}

const idleRunners: CliRunner[] = [];

/**
 * Runs a relman command line as `node bin/relman.js …` in `cwd` would, with
 * stdin holding `input` (or nothing), and resolves to its exit code, stdout
 * and stderr. The command runs in a CLI runner process started once and
 * reused (one more is started for each command run at the same time), which
 * gives each command its own argv, environment, working folder, stdin and
 * output; test/cli/cli-runner.test.ts checks it answers as a spawned process.
 */
export async function runCli(args: string[], env: NodeJS.ProcessEnv, input = '', cwd = ROOT): Promise<CliResult> {
  let runner = idleRunners.pop();
  while (runner?.dead) runner = idleRunners.pop();
  runner ??= new CliRunner();
  const result = await runner.run(args, env, input, cwd);
  if (!runner.dead) idleRunners.push(runner);
  // Killed at the time limit, as a spawned command would be.
  return result ?? { code: -1, stdout: '', stderr: '' };
}

export type RunningServer = {
  url: string;
  port: number;
  /** The server process, for tests that kill it the hard way. */
  pid: number;
  /** Resolves once the process has exited, however it ended. */
  exited(): Promise<void>;
  /** Settings a local command (`user add`, `audit verify` …) needs to reach the same database. */
  localEnv: NodeJS.ProcessEnv;
  log(): string;
  stop(): Promise<void>;
};

function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once('exit', () => resolve()));
}

async function waitReady(url: string, child: ChildProcess, log: () => string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) throw new Error(`relman serve exited early:\n${log()}`);
    try {
      const res = await fetch(`${url}/readyz`);
      if (res.ok) return;
    } catch {
      // Not listening yet.
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`relman serve did not become ready within ${timeoutMs} ms:\n${log()}`);
}

export type ServerOptions = {
  dataDir: string;
  databaseUrl?: string | undefined;
  adminPassword: string;
  /** More settings for the server process (e.g. RELMAN_SMTP_HOST). */
  env?: NodeJS.ProcessEnv | undefined;
};

/**
 * Starts `node bin/relman.js serve` on a free port and waits for /readyz. The
 * port is picked before the server binds it, so a lost race is retried.
 */
export async function startServer(opts: ServerOptions): Promise<RunningServer> {
  const localEnv = cleanEnv({
    RELMAN_DATA_DIR: opts.dataDir,
    RELMAN_ADMIN_PASSWORD: opts.adminPassword,
    RELMAN_LOG_LEVEL: 'warn',
    ...(opts.databaseUrl ? { DATABASE_URL: opts.databaseUrl } : {}),
    ...(opts.env ?? {}),
  });
  let lastError: unknown;
  for (let attempt = 0; attempt < 3; attempt++) {
    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    const child = spawn(process.execPath, [BIN, 'serve'], {
      cwd: ROOT,
      env: { ...localEnv, RELMAN_HOST: '127.0.0.1', RELMAN_PORT: String(port) },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout?.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr?.on('data', (d: Buffer) => (output += d.toString()));
    const log = () => output;
    const stop = async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const done = exited(child);
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await done;
      clearTimeout(timer);
    };
    try {
      await waitReady(url, child, log, 30_000);
      return { url, port, pid: child.pid ?? 0, exited: () => exited(child), localEnv, log, stop };
    } catch (err) {
      lastError = err;
      await stop();
      if (!/EADDRINUSE/.test(output)) break;
    }
  }
  throw lastError;
}
