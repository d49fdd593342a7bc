import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { freePort } from '../test/support/cli-process.js';

const run = promisify(execFile);

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const BIN = path.join(ROOT, 'bin', 'relman.js');

export type ServerProcess = {
  url: string;
  pid: number;
  /** Runs a local `relman …` command against the same data directory. */
  cli(args: string[]): Promise<string>;
  stop(): Promise<void>;
};

/** The fast-path switches (docs/fast-paths.md), passed on to the server so a benchmark can measure a path turned off. */
const SWITCHES = new Set(['RELMAN_UPLOAD_DIRECT', 'RELMAN_UPLOAD_STREAM_MANIFEST', 'RELMAN_XML_SHORTCUTS']);

/**
 * `node bin/relman.js serve` (the built server, as deployed) on a free port with its own data directory. Of the
 * environment's RELMAN_* variables only the fast-path switches reach it; `extraEnv` sets more.
 */
export async function startServerProcess(
  dataDir: string,
  adminPassword: string,
  extraEnv: Record<string, string> = {},
): Promise<ServerProcess> {
  const env = Object.fromEntries(
    Object.entries(process.env).filter(([k]) => (!k.startsWith('RELMAN_') || SWITCHES.has(k)) && k !== 'DATABASE_URL'),
  );
  const localEnv = { ...env, ...extraEnv, RELMAN_DATA_DIR: dataDir, RELMAN_ADMIN_PASSWORD: adminPassword, RELMAN_LOG_LEVEL: 'warn' };
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const child: ChildProcess = spawn(process.execPath, [BIN, 'serve'], {
    cwd: ROOT,
    env: { ...localEnv, RELMAN_HOST: '127.0.0.1', RELMAN_PORT: String(port) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let log = '';
  child.stdout?.on('data', (d: Buffer) => (log += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (log += d.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    await exited;
    clearTimeout(timer);
  };
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`relman serve exited early:\n${log}`);
    try {
      if ((await fetch(`${url}/readyz`)).ok) break;
    } catch {
      // Not listening yet.
    }
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`relman serve did not become ready:\n${log}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    url,
    pid: child.pid ?? 0,
    cli: async (args) => (await run(process.execPath, [BIN, ...args], { cwd: ROOT, env: localEnv })).stdout,
    stop,
  };
}

/** Resident set size of a process in bytes (Linux: /proc/PID/status VmRSS); 0 elsewhere. */
export function rssOf(pid: number): number {
  try {
    const m = /^VmRSS:\s+(\d+)\s+kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) * 1024 : 0;
  } catch {
    return 0;
  }
}

/** Samples a process's RSS every `everyMs` until stopped; returns the peak seen. */
export function sampleRss(pid: number, everyMs = 50): { stop(): number } {
  let peak = rssOf(pid);
  const timer = setInterval(() => (peak = Math.max(peak, rssOf(pid))), everyMs);
  return {
    stop() {
      clearInterval(timer);
      return Math.max(peak, rssOf(pid));
    },
  };
}

/** Wall-clock milliseconds of an external command (its output is discarded). */
export async function timeCommand(cmd: string, args: string[]): Promise<number> {
  const t0 = performance.now();
  await run(cmd, args, { maxBuffer: 1024 * 1024 });
  return performance.now() - t0;
}

export const MiB = 1024 * 1024;
export const mbps = (bytes: number, ms: number): number => bytes / 1e6 / (ms / 1000);
export const goal = (met: boolean): string => (met ? 'met' : 'NOT met');
