import type { Command } from 'commander';
import { keyValues, table } from '../output.js';
import { readSecret } from '../io.js';
import { client, globals, int, list, show } from './remote.js';

type Row = Record<string, unknown>;

export function registerAdmin(program: Command): void {
  const app = program.command('app').description('applications (systems)');
  app
    .command('list')
    .description('list applications')
    .action(async (_o: unknown, cmd: Command) => {
      const r = await client(cmd).request<{ items: Row[] }>('GET', '/applications');
      show(cmd, r, () => table(r.items, ['key', 'name', 'template', 'namingParameters', 'nextReleaseNameExample', 'isDefault']));
    });
  app
    .command('create <key>')
    .description('create an application under a published template (admin)')
    .requiredOption('--name <name>', 'display name')
    .requiredOption('--template <key>', 'template key')
    .option('--param <name=value...>', 'naming parameters, e.g. system=D contractor=IS')
    .option('--default', 'make it the default application')
    .action(async (key: string, opts: { name: string; template: string; param?: string[]; default?: boolean }, cmd: Command) => {
      const namingParameters = Object.fromEntries((opts.param ?? []).map((p) => [p.slice(0, p.indexOf('=')), p.slice(p.indexOf('=') + 1)]));
      const r = await client(cmd).request<Row>('POST', '/applications', {
        key,
        name: opts.name,
        templateKey: opts.template,
        namingParameters,
        isDefault: opts.default,
      });
      show(
        cmd,
        r,
        () => `created application ${key}\n${keyValues(r, ['key', 'name', 'template', 'namingParameters', 'nextReleaseNameExample'])}`,
      );
    });

  const user = program.commands.find((c) => c.name() === 'user') ?? program.command('user').description('users and roles');
  user
    .command('list')
    .description('list users')
    .action(async (_o: unknown, cmd: Command) => {
      const r = await client(cmd).request<{ items: Row[] }>('GET', '/users');
      show(cmd, r, () => table(r.items, ['username', 'displayName', 'email', 'roles', 'disabled']));
    });
  user
    .command('set <username>')
    .description('change a user’s roles, name, e-mail or password, or disable/enable them (admin)')
    .option('--roles <list>', 'replace the roles (comma-separated)', list)
    .option('--password', 'set a new password (from stdin or a prompt); ends the user’s sessions')
    .option('--display-name <name>', 'full name')
    .option('--email <email>', 'e-mail address')
    .option('--disable', 'disable the user')
    .option('--enable', 'enable the user')
    .action(
      async (
        username: string,
        opts: { roles?: string[]; displayName?: string; email?: string; password?: boolean; disable?: boolean; enable?: boolean },
        cmd: Command,
      ) => {
        const disabled = opts.disable ? true : opts.enable ? false : undefined;
        const password = opts.password ? await readSecret(`new password for ${username}: `) : undefined;
        const r = await client(cmd).request<Row>('PATCH', `/users/${encodeURIComponent(username)}`, {
          roles: opts.roles,
          displayName: opts.displayName,
          email: opts.email,
          disabled,
          password,
        });
        show(cmd, r, () => keyValues(r, ['username', 'displayName', 'email', 'roles', 'disabled']));
      },
    );
  user
    .command('passwd')
    .description(
      'change your own password (current and new password from the prompt, or two lines on stdin); ends your sessions, tokens stay valid',
    )
    .action(async (_o: unknown, cmd: Command) => {
      let currentPassword: string;
      let newPassword: string;
      if (process.stdin.isTTY) {
        currentPassword = await readSecret('current password: ');
        newPassword = await readSecret('new password: ');
      } else {
        const { readAllStdin } = await import('../io.js');
        [currentPassword = '', newPassword = ''] = (await readAllStdin()).split(/\r?\n/);
      }
      await client(cmd).request('PUT', '/session/password', { currentPassword, newPassword });
      show(cmd, { ok: true }, () => 'password changed');
    });

  const token = program.commands.find((c) => c.name() === 'token') ?? program.command('token').description('API tokens');
  token
    .command('list')
    .description('list your API tokens')
    .option('--user <username>', 'another user’s (admin)')
    .action(async (opts: { user?: string }, cmd: Command) => {
      const r = await client(cmd).request<{ items: Row[] }>('GET', '/tokens', undefined, { user: opts.user });
      show(cmd, r, () => table(r.items, ['id', 'name', 'user', 'createdAt', 'expiresAt', 'lastUsedAt', 'revokedAt']));
    });
  token
    .command('revoke <id>')
    .description('revoke an API token')
    .action(async (id: string, _o: unknown, cmd: Command) => {
      const r = await client(cmd).request<Row>('DELETE', `/tokens/${encodeURIComponent(id)}`);
      show(cmd, r, () => `revoked token ${id}`);
    });

  const audit = program.commands.find((c) => c.name() === 'audit') ?? program.command('audit').description('the audit trail');
  audit
    .command('list')
    .description('list audit events')
    .option('--actor <name>', 'who')
    .option('--action <action>', 'e.g. release.create')
    .option('--subject-type <type>', 'release, item, user, template …')
    .option('--subject <id>', 'subject id, e.g. cms-net/CFIS001, or a release name (CFIS001)')
    .option('--from <time>', 'at or after (ISO date or date-time)')
    .option('--to <time>', 'before (ISO date or date-time)')
    .option('--after-seq <n>', 'page: events after this sequence number', int('--after-seq'))
    .option('--limit <n>', 'page size', int('--limit'))
    .action(
      async (
        opts: {
          actor?: string;
          action?: string;
          subjectType?: string;
          subject?: string;
          from?: string;
          to?: string;
          afterSeq?: number;
          limit?: number;
        },
        cmd: Command,
      ) => {
        const { subject, ...rest } = opts;
        const r = await client(cmd).request<{ items: Row[]; nextAfterSeq: number | null }>('GET', '/audit', undefined, {
          app: globals(cmd).app,
          ...rest,
          subjectId: subject,
        });
        show(
          cmd,
          r,
          () =>
            `${table(r.items, ['seq', 'at', 'actor', 'action', 'subjectType', 'subjectId'])}${r.nextAfterSeq ? `\nmore: --after-seq ${r.nextAfterSeq}` : ''}`,
        );
      },
    );
}
