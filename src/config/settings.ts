import { existsSync, readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { parseSecretKey } from '../integrations/secrets/secret-box.js';
import { SettingsError } from './settings-error.js';

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
    trustProxy: z.union([z.boolean(), z.array(z.string().min(1)).min(1)]),
    maxUploadBytes: z.number().int().positive(),
    headersTimeoutMs: z.number().int().min(1).max(3_600_000),
    requestTimeoutMs: z.number().int().min(1).max(3_600_000),
    uploadStallTimeoutMs: z.number().int().min(1).max(3_600_000),
    idleTimeoutMs: z.number().int().min(1).max(3_600_000),
    metricsToken: z.string().min(16),
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
  /**
   * Which proxies' X-Forwarded-For is believed: false (none: the socket address
   * is the client), a list of proxy addresses or CIDR ranges (the client is the
   * right-most address not in the list), or true (every hop is believed: the
   * client can name any address it likes; only behind a proxy that overwrites
   * the header).
   */
  trustProxy: boolean | string[];
  /** Largest package file accepted, in bytes. */
  maxUploadBytes: number;
  /** How long a client may take to send a request's headers (also: a connection that sends nothing). */
  headersTimeoutMs: number;
  /** How long a client may take to send the body of an ordinary (JSON) request. */
  requestTimeoutMs: number;
  /** An upload body that sends no byte for this long is cut off (an upload may take hours as long as it moves). */
  uploadStallTimeoutMs: number;
  /** How long an idle keep-alive connection is kept open between requests. */
  idleTimeoutMs: number;
  /** Bearer token that GET /metrics requires; absent: /metrics is not served. */
  metricsToken: string | undefined;
  /** The SMTP server mail goes through; absent: mail is written to `<dataDir>/maildir`. */
  smtp: SmtpSettings | undefined;
  /** The From of every mail relman sends, e.g. `relman <relman@example.org>`. */
  mailFrom: string;
  /** Base URL of this server as people reach it, for links in mails (no trailing slash). */
  publicUrl: string;
  /** Whether this process runs the background jobs (outbox delivery, checklist reminders). */
  jobs: boolean;
  /** How often the background jobs are tried, in milliseconds. */
  jobsIntervalMs: number;
  /** RELMAN_READ_CACHE: the short-lived read caches (docs/fast-paths.md, "Read caches"); off: every read goes to the database. */
  readCache: boolean;
  /** RELMAN_SQLITE_STATEMENT_CACHE: SQLite statements prepared once per SQL text (docs/fast-paths.md). */
  sqliteStatementCache: boolean;
  /** RELMAN_SQLITE_READ_CONNECTION: hot reads on a second, read-only SQLite connection (docs/fast-paths.md). */
  sqliteReadConnection: boolean;
  /**
   * RELMAN_SECRET_KEY (environment only, never the config file): the 32-byte key that seals stored secrets
   * (deployment targets' SFTP keys and passwords); absent: no secret can be stored or opened.
   */
  secretKey: Buffer | undefined;
  /** RELMAN_DEPLOYMENT_LEASE_SECONDS: how long a deployment step's lease lasts (renewed at a third); a stopped process's step shows interrupted after at most this. */
  deploymentLeaseMs: number;
};

export type SmtpSettings = {
  host: string;
  port: number;
  /** Implicit TLS from the first byte (usually port 465). */
  secure: boolean;
  /** Refuse to send unless the server upgrades the connection with STARTTLS. */
  requireStartTls: boolean;
  auth: { user: string; password: string } | undefined;
  /** Check the server's certificate (turn off only for a test server with a self-signed one). */
  tlsRejectUnauthorized: boolean;
};

export { SettingsError };

export const DEFAULT_TEMPLATE_FILE = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../templates/cms-net.yaml');

function parseBool(name: string, value: string): boolean {
  if (/^(1|true|yes|on)$/i.test(value)) return true;
  if (/^(0|false|no|off)$/i.test(value)) return false;
  throw new SettingsError(`${name} must be true or false, got "${value}"`);
}

/** An IPv4 or IPv6 address, optionally with a /prefix length. */
function isAddressOrRange(value: string): boolean {
  const [addr = '', prefix, ...rest] = value.split('/');
  const kind = isIP(addr);
  if (kind === 0 || rest.length > 0) return false;
  if (prefix === undefined) return true;
  const bits = Number(prefix);
  return /^\d{1,3}$/.test(prefix) && bits <= (kind === 4 ? 32 : 128);
}

/** RELMAN_TRUST_PROXY: true/false, or a comma-separated list of proxy addresses and CIDR ranges. */
export function parseTrustProxy(name: string, value: string | boolean | string[]): boolean | string[] {
  if (typeof value === 'boolean') return value;
  if (typeof value === 'string' && /^(1|true|yes|on|0|false|no|off)$/i.test(value.trim())) return parseBool(name, value.trim());
  const list = (typeof value === 'string' ? value.split(',') : value).map((v) => v.trim()).filter((v) => v !== '');
  const bad = list.filter((v) => !isAddressOrRange(v));
  if (list.length === 0 || bad.length > 0) {
    throw new SettingsError(
      `${name} must be true, false or a comma-separated list of proxy addresses or CIDR ranges (e.g. 10.0.0.5,192.168.0.0/16), got "${bad.join(',') || String(value)}"`,
    );
  }
  return list;
}

function parseNumber(name: string, value: string): number {
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n)) {
    throw new SettingsError(`${name} must be a number, got "${value}"`);
  }
  return n;
}

function parseInteger(name: string, value: string, min: number, max: number): number {
  const n = parseNumber(name, value);
  if (!Number.isInteger(n) || n < min || n > max) throw new SettingsError(`${name} must be a whole number ${min}-${max}, got "${value}"`);
  return n;
}

/** `Name <address>` or a bare address. */
const MAIL_FROM = /^(?:[^<>\r\n]*<[^<>@\s]+@[^<>@\s]+>|[^<>@\s]+@[^<>@\s]+)$/;

function mailSettings(
  env: NodeJS.ProcessEnv,
  host: string,
  port: number,
): Pick<Settings, 'smtp' | 'mailFrom' | 'publicUrl' | 'jobs' | 'jobsIntervalMs'> {
  const flag = (name: string, fallback: boolean) => {
    const v = env[name];
    return v !== undefined ? parseBool(name, v) : fallback;
  };
  let smtp: SmtpSettings | undefined;
  const smtpHost = env.RELMAN_SMTP_HOST?.trim();
  if (smtpHost) {
    const secure = flag('RELMAN_SMTP_SECURE', false);
    const requireStartTls = flag('RELMAN_SMTP_STARTTLS', false);
    if (secure && requireStartTls) {
      throw new SettingsError('RELMAN_SMTP_SECURE (implicit TLS) and RELMAN_SMTP_STARTTLS (upgrade a plain connection) exclude each other');
    }
    const user = env.RELMAN_SMTP_USER;
    const password = env.RELMAN_SMTP_PASSWORD;
    if ((user === undefined || user === '') !== (password === undefined || password === '')) {
      throw new SettingsError('RELMAN_SMTP_USER and RELMAN_SMTP_PASSWORD go together: set both or neither');
    }
    smtp = {
      host: smtpHost,
      port: env.RELMAN_SMTP_PORT !== undefined ? parseInteger('RELMAN_SMTP_PORT', env.RELMAN_SMTP_PORT, 1, 65535) : 587,
      secure,
      requireStartTls,
      auth: user && password ? { user, password } : undefined,
      tlsRejectUnauthorized: flag('RELMAN_SMTP_TLS_REJECT_UNAUTHORIZED', true),
    };
  } else {
    const stray = ['RELMAN_SMTP_PORT', 'RELMAN_SMTP_USER', 'RELMAN_SMTP_PASSWORD'].filter((k) => env[k] !== undefined && env[k] !== '');
    if (stray.length > 0) throw new SettingsError(`${stray.join(', ')} set without RELMAN_SMTP_HOST`);
  }
  const mailFrom = (env.RELMAN_MAIL_FROM ?? 'relman <relman@localhost>').trim();
  if (!MAIL_FROM.test(mailFrom)) {
    throw new SettingsError(`RELMAN_MAIL_FROM must be an address or "Name <address>", got "${mailFrom}"`);
  }
  const urlHost = host.includes(':') ? `[${host}]` : host;
  const publicUrl = (env.RELMAN_PUBLIC_URL ?? `http://${urlHost}:${port}`).trim().replace(/\/+$/, '');
  let parsed: URL | undefined;
  try {
    parsed = new URL(publicUrl);
  } catch {
    parsed = undefined;
  }
  if (!parsed || (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') || parsed.search !== '' || parsed.hash !== '') {
    throw new SettingsError(`RELMAN_PUBLIC_URL must be an http(s) URL without query or fragment, got "${publicUrl}"`);
  }
  return {
    smtp,
    mailFrom,
    publicUrl,
    jobs: flag('RELMAN_JOBS', true),
    jobsIntervalMs:
      env.RELMAN_JOBS_INTERVAL_MS !== undefined
        ? parseInteger('RELMAN_JOBS_INTERVAL_MS', env.RELMAN_JOBS_INTERVAL_MS, 50, 3_600_000)
        : 5000,
  };
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

/** Switches of the fast paths (docs/fast-paths.md), from the environment only; all on by default. */
function fastPathSettings(env: NodeJS.ProcessEnv): Pick<Settings, 'readCache' | 'sqliteStatementCache' | 'sqliteReadConnection'> {
  const flag = (name: string) => {
    const v = env[name];
    return v !== undefined ? parseBool(name, v) : true;
  };
  return {
    readCache: flag('RELMAN_READ_CACHE'),
    sqliteStatementCache: flag('RELMAN_SQLITE_STATEMENT_CACHE'),
    sqliteReadConnection: flag('RELMAN_SQLITE_READ_CONNECTION'),
  };
}

/** Timeouts in milliseconds, from the environment (RELMAN_*_TIMEOUT_MS) or the config file. */
function timeoutSettings(
  env: NodeJS.ProcessEnv,
  file: z.infer<typeof fileSchema>,
): Pick<Settings, 'headersTimeoutMs' | 'requestTimeoutMs' | 'uploadStallTimeoutMs' | 'idleTimeoutMs'> {
  const ms = (name: string, fromFile: number | undefined, fallback: number) => {
    const v = env[name];
    return v !== undefined ? parseInteger(name, v, 1, 3_600_000) : (fromFile ?? fallback);
  };
  return {
    headersTimeoutMs: ms('RELMAN_HEADERS_TIMEOUT_MS', file.headersTimeoutMs, 30_000),
    requestTimeoutMs: ms('RELMAN_REQUEST_TIMEOUT_MS', file.requestTimeoutMs, 60_000),
    uploadStallTimeoutMs: ms('RELMAN_UPLOAD_STALL_TIMEOUT_MS', file.uploadStallTimeoutMs, 60_000),
    idleTimeoutMs: ms('RELMAN_IDLE_TIMEOUT_MS', file.idleTimeoutMs, 5_000),
  };
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
  const host = env.RELMAN_HOST ?? file.host ?? '127.0.0.1';
  const metricsToken = env.RELMAN_METRICS_TOKEN || file.metricsToken || undefined;
  if (metricsToken !== undefined && metricsToken.length < 16) {
    throw new SettingsError('RELMAN_METRICS_TOKEN must be at least 16 characters');
  }
  return {
    host,
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
    trustProxy: parseTrustProxy('RELMAN_TRUST_PROXY', env.RELMAN_TRUST_PROXY ?? file.trustProxy ?? false),
    ...timeoutSettings(env, file),
    metricsToken,
    ...mailSettings(env, host, port),
    ...fastPathSettings(env),
    secretKey: env.RELMAN_SECRET_KEY ? parseSecretKey(env.RELMAN_SECRET_KEY, 'RELMAN_SECRET_KEY') : undefined,
    deploymentLeaseMs:
      env.RELMAN_DEPLOYMENT_LEASE_SECONDS !== undefined
        ? parseInteger('RELMAN_DEPLOYMENT_LEASE_SECONDS', env.RELMAN_DEPLOYMENT_LEASE_SECONDS, 1, 3600) * 1000
        : 30_000,
  };
}
