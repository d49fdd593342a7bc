import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';

/**
 * Settings come from environment variables, optionally preceded by a JSON
 * config file (RELMAN_CONFIG). Environment variables win over the file so that
 * a container or CI can override one value without rewriting the file.
 */
const fileSchema = z
  .object({
    host: z.string().min(1),
    port: z.number().int().min(0).max(65535),
    dataDir: z.string().min(1),
    databaseUrl: z.string().min(1),
    logLevel: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']),
    cookieSecure: z.boolean(),
    sessionTtlHours: z
      .number()
      .positive()
      .max(24 * 90),
    adminPassword: z.string().min(12),
    templateFile: z.string().min(1),
    trustProxy: z.boolean(),
    maxUploadBytes: z.number().int().positive(),
  })
  .partial()
  .strict();

export type Settings = {
  host: string;
  port: number;
  dataDir: string;
  /** Absent: SQLite file `relman.db` in the data directory. */
  databaseUrl: string | undefined;
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  cookieSecure: boolean;
  sessionTtlHours: number;
  /** Password for the first administrator; generated and printed once when absent. */
  adminPassword: string | undefined;
  /** The default process template loaded on first start. */
  templateFile: string;
  trustProxy: boolean;
  /** Largest package file accepted, in bytes. */
  maxUploadBytes: number;
};

export class SettingsError extends Error {
  override readonly name = 'SettingsError';
}

export const DEFAULT_TEMPLATE_FILE = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../templates/cms-net.yaml');

function parseBool(name: string, value: string): boolean {
  if (/^(1|true|yes|on)$/i.test(value)) return true;
  if (/^(0|false|no|off)$/i.test(value)) return false;
  throw new SettingsError(`${name} must be true or false, got "${value}"`);
}

function parseNumber(name: string, value: string): number {
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n)) {
    throw new SettingsError(`${name} must be a number, got "${value}"`);
  }
  return n;
}

function readConfigFile(file: string): z.infer<typeof fileSchema> {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new SettingsError(`cannot read config file ${file}: ${(err as Error).message}`);
  }
  const parsed = fileSchema.safeParse(raw);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.') || '(root)'}: ${i.message}`);
    throw new SettingsError(`invalid config file ${file}:\n${lines.join('\n')}`);
  }
  return parsed.data;
}

export function loadSettings(env: NodeJS.ProcessEnv = process.env, cwd = process.cwd()): Settings {
  const configFile = env.RELMAN_CONFIG;
  const file = configFile ? readConfigFile(path.resolve(cwd, configFile)) : {};
  if (configFile && !existsSync(path.resolve(cwd, configFile))) {
    throw new SettingsError(`config file ${configFile} does not exist`);
  }
  const dataDir = path.resolve(cwd, env.RELMAN_DATA_DIR ?? file.dataDir ?? 'data');
  const port = env.RELMAN_PORT !== undefined ? parseNumber('RELMAN_PORT', env.RELMAN_PORT) : (file.port ?? 8080);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new SettingsError(`RELMAN_PORT must be an integer 0-65535, got ${port}`);
  }
  const logLevel = env.RELMAN_LOG_LEVEL ?? file.logLevel ?? 'info';
  const levels = fileSchema.shape.logLevel.unwrap().options as readonly string[];
  if (!levels.includes(logLevel)) {
    throw new SettingsError(`RELMAN_LOG_LEVEL must be one of ${levels.join(', ')}, got "${logLevel}"`);
  }
  const sessionTtlHours =
    env.RELMAN_SESSION_TTL_HOURS !== undefined
      ? parseNumber('RELMAN_SESSION_TTL_HOURS', env.RELMAN_SESSION_TTL_HOURS)
      : (file.sessionTtlHours ?? 12);
  if (sessionTtlHours <= 0) throw new SettingsError('RELMAN_SESSION_TTL_HOURS must be positive');
  const adminPassword = env.RELMAN_ADMIN_PASSWORD ?? file.adminPassword;
  if (adminPassword !== undefined && adminPassword.length < 12) {
    throw new SettingsError('RELMAN_ADMIN_PASSWORD must be at least 12 characters');
  }
  const templateFile = env.RELMAN_TEMPLATE_FILE ?? file.templateFile;
  return {
    host: env.RELMAN_HOST ?? file.host ?? '127.0.0.1',
    port,
    dataDir,
    databaseUrl: env.DATABASE_URL || file.databaseUrl || undefined,
    logLevel: logLevel as Settings['logLevel'],
    cookieSecure:
      env.RELMAN_COOKIE_SECURE !== undefined ? parseBool('RELMAN_COOKIE_SECURE', env.RELMAN_COOKIE_SECURE) : (file.cookieSecure ?? false),
    sessionTtlHours,
    adminPassword,
    templateFile: templateFile ? path.resolve(cwd, templateFile) : DEFAULT_TEMPLATE_FILE,
    maxUploadBytes:
      env.RELMAN_MAX_UPLOAD_BYTES !== undefined
        ? parseNumber('RELMAN_MAX_UPLOAD_BYTES', env.RELMAN_MAX_UPLOAD_BYTES)
        : (file.maxUploadBytes ?? 8 * 1024 ** 3),
    trustProxy: env.RELMAN_TRUST_PROXY !== undefined ? parseBool('RELMAN_TRUST_PROXY', env.RELMAN_TRUST_PROXY) : (file.trustProxy ?? false),
  };
}
