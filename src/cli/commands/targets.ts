import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { CliError, EXIT } from '../errors.js';
import { readAllStdin } from '../io.js';
import { keyValues, table } from '../output.js';
import { client, globals, int, show } from './remote.js';

type Sftp = { host: string; port: number; username: string; directory: string; hostKeyFingerprint: string };
type Target = {
  environment: string;
  channel: string;
  sftp: Sftp | null;
  secret: { kind: string; setBy: string; setAt: string } | null;
  commands: { name: string; argv: string[]; cwd?: string; env?: Record<string, string>; timeoutSeconds: number }[];
  updatedBy: string;
  updatedAt: string;
  version: number;
};

type SetOpts = {
  host?: string;
  port?: number;
  user?: string;
  directory?: string;
  fingerprint?: string;
  privateKeyFile?: string;
  passwordStdin?: boolean;
  commandFile?: string;
  clearSecret?: boolean;
};

const path = (environment: string, channel: string) => `/targets/${encodeURIComponent(environment)}/${encodeURIComponent(channel)}`;

const sftpText = (s: Sftp | null) => (s ? `${s.username}@${s.host}:${s.port}${s.directory}` : '-');
const secretText = (t: Target) => (t.secret ? `${t.secret.kind} (set by ${t.secret.setBy} at ${t.secret.setAt})` : '-');

function row(t: Target): Record<string, unknown> {
  return {
    environment: t.environment,
    channel: t.channel,
    sftp: sftpText(t.sftp),
    secret: t.secret?.kind ?? '-',
    commands: t.commands.map((c) => c.name).join(', ') || '-',
    version: t.version,
  };
}

function details(t: Target): string {
  const head = keyValues(
    {
      target: `${t.environment}/${t.channel}`,
      sftp: sftpText(t.sftp),
      'host key': t.sftp?.hostKeyFingerprint ?? '-',
      secret: secretText(t),
      updated: `${t.updatedAt} by ${t.updatedBy}`,
      version: t.version,
    },
    ['target', 'sftp', 'host key', 'secret', 'updated', 'version'],
  );
  const steps = t.commands.map((c, i) => `  ${i + 1}. ${c.name}: ${c.argv.join(' ')} (timeout ${c.timeoutSeconds} s)`);
  return [head, steps.length > 0 ? `commands:\n${steps.join('\n')}` : 'commands: -'].join('\n');
}

function readCommands(file: string): unknown {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new CliError(`cannot read --command-file ${file}: ${(err as Error).message}`, EXIT.usage);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    throw new CliError(`--command-file ${file} is not JSON: ${(err as Error).message}`, EXIT.usage);
  }
  if (!Array.isArray(parsed)) {
    throw new CliError(`--command-file ${file} must hold a JSON list of {name, argv, cwd?, env?, timeoutSeconds}`, EXIT.usage);
  }
  return parsed;
}

/** The secret to send: from a key file or stdin, never from the command line. Undefined: keep the stored one. */
async function secretFrom(opts: SetOpts): Promise<{ privateKey: string } | { password: string } | null | undefined> {
  const given = [opts.privateKeyFile !== undefined, opts.passwordStdin === true, opts.clearSecret === true].filter(Boolean).length;
  if (given > 1) throw new CliError('give at most one of --private-key-file, --password-stdin and --clear-secret', EXIT.usage);
  if (opts.clearSecret) return null;
  if (opts.privateKeyFile !== undefined) {
    try {
      return { privateKey: readFileSync(opts.privateKeyFile, 'utf8') };
    } catch (err) {
      throw new CliError(`cannot read --private-key-file ${opts.privateKeyFile}: ${(err as Error).message}`, EXIT.usage);
    }
  }
  if (opts.passwordStdin) {
    const password = (await readAllStdin()).replace(/\r?\n$/, '');
    if (password === '') throw new CliError('--password-stdin: stdin held no password', EXIT.usage);
    return { password };
  }
  return undefined;
}

/** Deployment targets: where a release's packages go per environment and channel (administrators only). */
export function registerTargets(program: Command): void {
  const target = program
    .command('target')
    .description('deployment targets: SFTP drop location and command steps per environment and channel');

  target
    .command('list')
    .description('list the application’s deployment targets')
    .action(async (_opts: unknown, cmd: Command) => {
      const rows = await client(cmd).request<Target[]>('GET', '/targets', undefined, { app: globals(cmd).app });
      show(cmd, rows, () => table(rows.map(row), ['environment', 'channel', 'sftp', 'secret', 'commands', 'version']));
    });

  target
    .command('show <environment> <channel>')
    .description('show a deployment target (its secret is never shown, only its kind and who set it when)')
    .action(async (environment: string, channel: string, _opts: unknown, cmd: Command) => {
      const t = await client(cmd).request<Target>('GET', path(environment, channel), undefined, { app: globals(cmd).app });
      show(cmd, t, () => details(t));
    });

  target
    .command('set <environment> <channel>')
    .description(
      'create or change a deployment target; options not given keep what the target has (the secret too). ' +
        'The secret comes from a file or stdin, never from the command line',
    )
    .option('--host <host>', 'SFTP server host name or IP address')
    .option('--port <port>', 'SFTP port (default 22)', int('--port'))
    .option('--user <name>', 'SFTP user name')
    .option('--directory <path>', 'absolute directory on the SFTP server to drop packages in')
    .option('--fingerprint <SHA256:...>', 'the SFTP server’s host key fingerprint (ssh-keygen -lf)')
    .option('--private-key-file <path>', 'store the private key in this file as the SFTP secret')
    .option('--password-stdin', 'store the password read from stdin as the SFTP secret')
    .option('--command-file <path>', 'JSON list of command steps: [{name, argv, cwd?, env?, timeoutSeconds}]')
    .option('--clear-secret', 'remove the stored secret')
    .action(async (environment: string, channel: string, opts: SetOpts, cmd: Command) => {
      const api = client(cmd);
      const app = globals(cmd).app;
      const secret = await secretFrom(opts);
      const commands = opts.commandFile !== undefined ? readCommands(opts.commandFile) : undefined;
      let current: Target | undefined;
      try {
        current = await api.request<Target>('GET', path(environment, channel), undefined, { app });
      } catch (err) {
        if (!(err instanceof CliError && err.exitCode === EXIT.notFound)) throw err;
      }
      const sftpGiven = [opts.host, opts.port, opts.user, opts.directory, opts.fingerprint].some((v) => v !== undefined);
      let sftp: Sftp | null = current?.sftp ?? null;
      if (sftpGiven) {
        const base = current?.sftp;
        const merged = {
          host: opts.host ?? base?.host,
          port: opts.port ?? base?.port ?? 22,
          username: opts.user ?? base?.username,
          directory: opts.directory ?? base?.directory,
          hostKeyFingerprint: opts.fingerprint ?? base?.hostKeyFingerprint,
        };
        const missing = (
          [
            ['--host', merged.host],
            ['--user', merged.username],
            ['--directory', merged.directory],
            ['--fingerprint', merged.hostKeyFingerprint],
          ] as const
        )
          .filter(([, v]) => v === undefined)
          .map(([k]) => k);
        if (missing.length > 0) throw new CliError(`an SFTP location also needs ${missing.join(', ')}`, EXIT.usage);
        sftp = merged as Sftp;
      }
      const body = {
        sftp,
        ...(secret !== undefined ? { secret } : {}),
        commands: commands ?? current?.commands ?? [],
        ...(current ? { version: current.version } : {}),
      };
      const t = await api.request<Target>('PUT', path(environment, channel), body, { app });
      show(cmd, t, () => `${current ? 'changed' : 'created'} deployment target ${t.environment}/${t.channel} (version ${t.version})`);
    });

  target
    .command('remove <environment> <channel>')
    .description('remove a deployment target')
    .action(async (environment: string, channel: string, _opts: unknown, cmd: Command) => {
      await client(cmd).request('DELETE', path(environment, channel), undefined, { app: globals(cmd).app });
      show(cmd, { removed: `${environment}/${channel}` }, () => `removed deployment target ${environment}/${channel}`);
    });
}
