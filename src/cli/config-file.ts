import { chmodSync, mkdirSync, readFileSync, writeFileSync, renameSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export type CliConfig = { url?: string; token?: string; user?: string };

export function configPath(env: NodeJS.ProcessEnv = process.env): string {
  const base = env.XDG_CONFIG_HOME && env.XDG_CONFIG_HOME !== '' ? env.XDG_CONFIG_HOME : path.join(os.homedir(), '.config');
  return path.join(base, 'relman', 'config.json');
}

export function readCliConfig(file = configPath()): CliConfig {
  try {
    const raw = JSON.parse(readFileSync(file, 'utf8')) as unknown;
    if (raw && typeof raw === 'object') return raw;
  } catch {
    // No or unreadable config: the CLI falls back to flags and environment.
  }
  return {};
}

/** Written atomically and readable by the owner only: it holds a token. */
export function writeCliConfig(config: CliConfig, file = configPath()): void {
  mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, `${JSON.stringify(config, null, 2)}\n`, { mode: 0o600 });
  chmodSync(tmp, 0o600);
  renameSync(tmp, file);
}
