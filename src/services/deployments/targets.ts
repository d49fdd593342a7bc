import { randomUUID } from 'node:crypto';
import { isIP } from 'node:net';
import * as repo from '../../db/repositories/deployment-targets.js';
import type { StoredCommand } from '../../db/repositories/deployment-targets.js';
import type { DeploymentTargetTable } from '../../db/schema.js';
import type { DeploymentTargetAuditView } from '../../domain/audit/deployments.js';
import { ConflictError, NotFoundError, StaleVersionError, ValidationError, type FieldProblem } from '../../domain/errors.js';
import type { ProcessTemplate } from '../../domain/template/schema.js';
import { SecretBoxError } from '../../integrations/secrets/secret-box.js';
import type { Actor } from '../actor.js';
import { resolveApplication, resolveApplicationForRead, type AppContext } from '../applications.js';
import { requireAdmin } from '../authorize.js';
import type { ServiceDeps } from '../deps.js';
import { write } from '../write.js';

/**
 * Deployment targets (docs/deployments.md, "Targets and secrets"): per
 * application, environment and channel, the SFTP drop location a release's
 * packages go to and the command steps run there. Administrators only.
 *
 * The SFTP secret (a private key or a password) is write-only: it is sealed
 * with RELMAN_SECRET_KEY before it reaches the database, and no view, audit
 * event or log carries it or its sealed text; only `openTargetSecret` gives
 * it back, for the SFTP step itself.
 */

export const SECRET_KINDS = ['private-key', 'password'] as const;
export type SecretKind = (typeof SECRET_KINDS)[number];

/** What the API shows of a target: never the secret. */
export type TargetView = Omit<DeploymentTargetAuditView, 'secretChanged'>;

export type SftpInput = { host: string; port: number; username: string; directory: string; hostKeyFingerprint: string };
/** A private key (OpenSSH or PEM block) or a password; never shown again once stored. */
export type SecretInput = { privateKey: string; password?: undefined } | { password: string; privateKey?: undefined };
export type CommandInput = StoredCommand;

export type SetTargetInput = {
  /** The SFTP drop location; absent or null: the target has none (and keeps no secret). */
  sftp?: SftpInput | null | undefined;
  /** Absent: keep the stored secret; null: clear it. */
  secret?: SecretInput | null | undefined;
  /** The command steps, in order; absent: none. */
  commands?: CommandInput[] | undefined;
  /** The version read; required to replace an existing target. */
  version?: number | undefined;
};

export type TargetRef = { app?: string | undefined; environment: string; channel: string };

export const FINGERPRINT = /^SHA256:[A-Za-z0-9+/]{43}$/;
const HOSTNAME = /^(?=.{1,253}$)[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$/;
const USERNAME = /^[^\s:/\\]{1,255}$/;
const hasControl = (v: string) => [...v].some((ch) => ch.charCodeAt(0) < 0x20 || ch.charCodeAt(0) === 0x7f);
const ENV_NAME = /^[A-Z_][A-Z0-9_]*$/;
const PRIVATE_KEY = /^-----BEGIN ([A-Z0-9]+ )?PRIVATE KEY-----\r?\n[\s\S]+\r?\n-----END \1?PRIVATE KEY-----\r?\n?$/;
const MAX_SECRET = 16_384;
const MAX_COMMANDS = 50;

const NUL = '\u0000';

function targetView(ctx: AppContext, t: DeploymentTargetTable): TargetView {
  const sftp =
    t.sftp_host !== null &&
    t.sftp_port !== null &&
    t.sftp_username !== null &&
    t.sftp_directory !== null &&
    t.sftp_host_key_fingerprint !== null
      ? {
          host: t.sftp_host,
          port: Number(t.sftp_port),
          username: t.sftp_username,
          directory: t.sftp_directory,
          hostKeyFingerprint: t.sftp_host_key_fingerprint,
        }
      : null;
  const secret =
    t.secret_kind !== null && t.secret_sealed !== null
      ? { kind: t.secret_kind as SecretKind, setBy: t.secret_set_by ?? '', setAt: t.secret_set_at ?? '' }
      : null;
  return {
    application: ctx.app.key,
    environment: t.environment,
    channel: t.channel,
    sftp,
    secret,
    commands: repo.targetCommands.decode(t.commands),
    createdBy: t.created_by,
    createdAt: t.created_at,
    updatedBy: t.updated_by,
    updatedAt: t.updated_at,
    version: Number(t.row_version),
  };
}

/** The environment and channel must be the template's. */
function placeProblems(template: ProcessTemplate, environment: string, channel: string): FieldProblem[] {
  const problems: FieldProblem[] = [];
  if (!template.environments.some((e) => e.id === environment)) {
    problems.push({
      path: 'environment',
      message: `unknown environment "${environment}"; one of: ${template.environments.map((e) => e.id).join(', ')}`,
    });
  }
  if (!template.channels.some((c) => c.id === channel)) {
    problems.push({ path: 'channel', message: `unknown channel "${channel}"; one of: ${template.channels.map((c) => c.id).join(', ')}` });
  }
  return problems;
}

export function isAbsolutePosixPath(p: string): boolean {
  return p.startsWith('/') && !p.includes(NUL) && !p.includes('\\') && !p.split('/').includes('..') && p.length <= 1024;
}

function sftpProblems(s: SftpInput): FieldProblem[] {
  const problems: FieldProblem[] = [];
  if (!(isIP(s.host) !== 0 || HOSTNAME.test(s.host))) {
    problems.push({ path: 'sftp.host', message: 'expected a host name (e.g. sftp.example.org) or an IP address' });
  }
  if (!Number.isInteger(s.port) || s.port < 1 || s.port > 65535) problems.push({ path: 'sftp.port', message: 'expected a port 1-65535' });
  if (!USERNAME.test(s.username) || hasControl(s.username)) {
    problems.push({ path: 'sftp.username', message: 'expected a user name (1-255 characters, no spaces, colons or slashes)' });
  }
  if (!isAbsolutePosixPath(s.directory)) {
    problems.push({ path: 'sftp.directory', message: 'expected an absolute path (starting with /) without ".." segments' });
  }
  if (!FINGERPRINT.test(s.hostKeyFingerprint)) {
    problems.push({
      path: 'sftp.hostKeyFingerprint',
      message: 'expected the server’s host key fingerprint as SHA256:… (43 base64 characters, as `ssh-keygen -lf` prints it)',
    });
  }
  return problems;
}

/** Never echoes the secret: the messages only say what is expected. */
function secretProblems(s: SecretInput): FieldProblem[] {
  if (s.privateKey !== undefined) {
    const key = s.privateKey;
    if (key.length > MAX_SECRET) return [{ path: 'secret.privateKey', message: `at most ${MAX_SECRET} characters` }];
    if (!PRIVATE_KEY.test(key.trim() + '\n')) {
      return [
        {
          path: 'secret.privateKey',
          message: 'expected a private key block (-----BEGIN OPENSSH PRIVATE KEY----- … -----END OPENSSH PRIVATE KEY-----, or PEM)',
        },
      ];
    }
    return [];
  }
  const pw = s.password;
  if (pw === '') return [{ path: 'secret.password', message: 'a password cannot be empty' }];
  if (pw.length > 1024) return [{ path: 'secret.password', message: 'at most 1024 characters' }];
  if (pw.includes(NUL)) return [{ path: 'secret.password', message: 'contains a NUL character' }];
  return [];
}

function commandProblems(commands: readonly CommandInput[]): FieldProblem[] {
  const problems: FieldProblem[] = [];
  if (commands.length > MAX_COMMANDS) problems.push({ path: 'commands', message: `at most ${MAX_COMMANDS} command steps` });
  const seen = new Set<string>();
  commands.forEach((c, i) => {
    const at = `commands.${i}`;
    if (c.name.trim() === '' || c.name.length > 100) problems.push({ path: `${at}.name`, message: 'a name of 1-100 characters' });
    else if (seen.has(c.name)) problems.push({ path: `${at}.name`, message: `"${c.name}" is already the name of another step` });
    seen.add(c.name);
    if (!Array.isArray(c.argv) || c.argv.length === 0) problems.push({ path: `${at}.argv`, message: 'at least the program to run' });
    else {
      if (c.argv[0] === '') problems.push({ path: `${at}.argv.0`, message: 'the program to run cannot be empty' });
      c.argv.forEach((a, j) => {
        if (typeof a !== 'string') problems.push({ path: `${at}.argv.${j}`, message: 'expected a string' });
        else if (a.includes(NUL)) problems.push({ path: `${at}.argv.${j}`, message: 'contains a NUL character' });
      });
    }
    if (c.cwd !== undefined && (c.cwd === '' || c.cwd.includes(NUL))) {
      problems.push({ path: `${at}.cwd`, message: 'a non-empty path without NUL characters' });
    }
    if (!Number.isInteger(c.timeoutSeconds) || c.timeoutSeconds < 1 || c.timeoutSeconds > 86_400) {
      problems.push({ path: `${at}.timeoutSeconds`, message: 'expected whole seconds 1-86400' });
    }
    for (const [name, value] of Object.entries(c.env ?? {})) {
      if (!ENV_NAME.test(name))
        problems.push({ path: `${at}.env.${name}`, message: 'a variable name is upper-case letters, digits and _' });
      else if (value.includes(NUL)) problems.push({ path: `${at}.env.${name}`, message: 'contains a NUL character' });
    }
  });
  return problems;
}

/** A command as stored: only the fields it has. */
function storedCommand(c: CommandInput): StoredCommand {
  return {
    name: c.name,
    argv: [...c.argv],
    ...(c.cwd !== undefined ? { cwd: c.cwd } : {}),
    ...(c.env !== undefined && Object.keys(c.env).length > 0 ? { env: { ...c.env } } : {}),
    timeoutSeconds: c.timeoutSeconds,
  };
}

const targetId = (ctx: AppContext, environment: string, channel: string) => `${ctx.app.key}/${environment}/${channel}`;

function missingKey(): ConflictError {
  return new ConflictError(
    'RELMAN_SECRET_KEY must be set on the server to store a secret (32 random bytes, e.g. `openssl rand -base64 32`); ' +
      'set it and restart relman, or store the target without a secret',
    'secret-key-missing',
  );
}

export async function listTargets(deps: ServiceDeps, actor: Actor, app: string | undefined): Promise<TargetView[]> {
  requireAdmin(actor, 'deployment-target.read');
  const ctx = await resolveApplicationForRead(deps, app);
  return (await repo.targetsOf(deps.database.kysely, ctx.app.id)).map((t) => targetView(ctx, t));
}

export async function getTarget(deps: ServiceDeps, actor: Actor, ref: TargetRef): Promise<TargetView> {
  requireAdmin(actor, 'deployment-target.read');
  const ctx = await resolveApplicationForRead(deps, ref.app);
  const row = await repo.targetFor(deps.database.kysely, ctx.app.id, ref.environment, ref.channel);
  if (!row) throw new NotFoundError('deployment target', `${ref.environment}/${ref.channel}`);
  return targetView(ctx, row);
}

/**
 * Creates the target of an environment and channel, or replaces it (with the
 * version read). The secret is kept when `secret` is absent, cleared when it is
 * null, and sealed when given: that needs RELMAN_SECRET_KEY.
 */
export async function setTarget(deps: ServiceDeps, actor: Actor, ref: TargetRef, input: SetTargetInput): Promise<TargetView> {
  requireAdmin(actor, 'deployment-target.set');
  return write(deps, actor, async (tx) => {
    const { db } = tx;
    const ctx = await resolveApplication(deps, db, ref.app);
    const sftp = input.sftp ?? null;
    const commands = input.commands ?? [];
    const problems = [
      ...placeProblems(ctx.template, ref.environment, ref.channel),
      ...(sftp ? sftpProblems(sftp) : []),
      ...(input.secret ? secretProblems(input.secret) : []),
      ...commandProblems(commands),
    ];
    if (input.secret && !sftp) problems.push({ path: 'secret', message: 'a secret belongs to an SFTP location: give `sftp` too' });
    if (problems.length > 0) throw new ValidationError('the deployment target is invalid', problems);

    const before = await repo.targetFor(db, ctx.app.id, ref.environment, ref.channel);
    const id = targetId(ctx, ref.environment, ref.channel);
    if (before && input.version === undefined) {
      throw new ConflictError(
        `deployment target "${id}" already exists (version ${before.row_version}); send the version you read to replace it`,
        'stale-version',
      );
    }
    if (before && input.version !== undefined && input.version !== Number(before.row_version)) {
      throw new StaleVersionError('deployment target', id, input.version, Number(before.row_version));
    }
    if (!before && input.version !== undefined) {
      throw new ConflictError(`deployment target "${id}" was removed since you read it; reload and try again`, 'stale-version');
    }

    const now = deps.clock().toISOString();
    let secret: Pick<DeploymentTargetTable, 'secret_kind' | 'secret_sealed' | 'secret_set_by' | 'secret_set_at'> = {
      secret_kind: before?.secret_kind ?? null,
      secret_sealed: before?.secret_sealed ?? null,
      secret_set_by: before?.secret_set_by ?? null,
      secret_set_at: before?.secret_set_at ?? null,
    };
    const hadSecret = (before?.secret_sealed ?? null) !== null;
    let secretChanged = false;
    if (input.secret) {
      if (!deps.secrets) throw missingKey();
      const isKey = input.secret.privateKey !== undefined;
      const plain = isKey ? `${(input.secret.privateKey ?? '').trim()}\n` : (input.secret.password ?? '');
      secret = {
        secret_kind: isKey ? 'private-key' : 'password',
        secret_sealed: deps.secrets.seal(plain),
        secret_set_by: actor.username,
        secret_set_at: now,
      };
      secretChanged = true;
    } else if ((input.secret === null || !sftp) && hadSecret) {
      // Cleared on request, or with the SFTP location it belonged to.
      secret = { secret_kind: null, secret_sealed: null, secret_set_by: null, secret_set_at: null };
      secretChanged = true;
    }

    const settings = {
      sftp_host: sftp?.host ?? null,
      sftp_port: sftp?.port ?? null,
      sftp_username: sftp?.username ?? null,
      sftp_directory: sftp?.directory ?? null,
      sftp_host_key_fingerprint: sftp?.hostKeyFingerprint ?? null,
      ...secret,
      commands: repo.targetCommands.encode(commands.map(storedCommand)),
      updated_by: actor.username,
      updated_at: now,
    };
    let after: DeploymentTargetTable;
    if (before) {
      const expected = input.version ?? 0;
      // A concurrent write between the read above and this one.
      if (!(await repo.replaceTarget(db, before.id, expected, settings))) {
        throw new StaleVersionError('deployment target', id, expected, expected + 1);
      }
      after = { ...before, ...settings, row_version: expected + 1 };
    } else {
      after = {
        id: randomUUID(),
        application_id: ctx.app.id,
        environment: ref.environment,
        channel: ref.channel,
        ...settings,
        created_by: actor.username,
        created_at: now,
        row_version: 1,
      };
      await repo.insertTarget(db, after);
    }
    const view = targetView(ctx, after);
    const audited: DeploymentTargetAuditView = secretChanged ? { ...view, secretChanged: true } : view;
    return tx.audit(
      before
        ? {
            action: 'deployment-target.set',
            subjectType: 'deployment-target',
            subjectId: id,
            before: targetView(ctx, before),
            after: audited,
          }
        : { action: 'deployment-target.set', subjectType: 'deployment-target', subjectId: id, after: audited },
      view,
    );
  });
}

export async function removeTarget(deps: ServiceDeps, actor: Actor, ref: TargetRef): Promise<void> {
  requireAdmin(actor, 'deployment-target.remove');
  await write(deps, actor, async (tx) => {
    const ctx = await resolveApplication(deps, tx.db, ref.app);
    const before = await repo.targetFor(tx.db, ctx.app.id, ref.environment, ref.channel);
    if (!before) throw new NotFoundError('deployment target', `${ref.environment}/${ref.channel}`);
    await repo.deleteTarget(tx.db, before.id);
    const id = targetId(ctx, ref.environment, ref.channel);
    return tx.audit(
      { action: 'deployment-target.remove', subjectType: 'deployment-target', subjectId: id, before: targetView(ctx, before) },
      undefined,
    );
  });
}

/**
 * The plain secret of a target, for the SFTP step only (no route gives it out):
 * null when the target stores none. Refused when RELMAN_SECRET_KEY is not set,
 * or is not the key the secret was sealed with.
 */
export async function openTargetSecret(deps: ServiceDeps, target: TargetRef): Promise<{ kind: SecretKind; value: string } | null> {
  const ctx = await resolveApplicationForRead(deps, target.app);
  const row = await repo.targetFor(deps.database.kysely, ctx.app.id, target.environment, target.channel);
  if (!row) throw new NotFoundError('deployment target', `${target.environment}/${target.channel}`);
  if (row.secret_sealed === null || row.secret_kind === null) return null;
  if (!deps.secrets) {
    throw new ConflictError(
      `the secret of deployment target "${targetId(ctx, target.environment, target.channel)}" cannot be opened: RELMAN_SECRET_KEY is not set`,
      'secret-key-missing',
    );
  }
  try {
    return { kind: row.secret_kind as SecretKind, value: deps.secrets.open(row.secret_sealed) };
  } catch (err) {
    if (err instanceof SecretBoxError) {
      throw new ConflictError(
        `the secret of deployment target "${targetId(ctx, target.environment, target.channel)}" cannot be opened: ${err.message}`,
        'secret-unreadable',
      );
    }
    throw err;
  }
}
