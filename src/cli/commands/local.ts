import type { Command } from 'commander';
import { CliError, EXIT } from '../errors.js';
import { readSecret } from '../io.js';
import { readCliConfig } from '../config-file.js';
import { client, globals, show } from './remote.js';

/**
 * Local admin commands run straight on the configured database, with no
 * server; what they do there (`local-run.ts`: settings, database, services)
 * is loaded only when one runs locally.
 */
const localRun = () => import('./local-run.js');

/**
 * Whether a command that can run either way goes through the server: when
 * the caller is signed in (`relman login`), or names a server or token
 * (--url, --token, RELMAN_URL, RELMAN_TOKEN), unless --local is given.
 */
function throughServer(cmd: Command, local: boolean | undefined): boolean {
  if (local) return false;
  const g = globals(cmd);
  const config = readCliConfig();
  return Boolean(g.url ?? g.token ?? process.env.RELMAN_URL ?? process.env.RELMAN_TOKEN ?? config.token);
}

export function registerLocal(program: Command): void {
  program
    .command('migrate')
    .description('apply database migrations (local; no server needed)')
    .option('--to <migration>', 'migrate up or down to this migration; 0 reverts all')
    .option('--status', 'list migrations and whether they are applied')
    .action(async (opts: { to?: string; status?: boolean }) => {
      await (await localRun()).migrate(opts);
    });

  const user = program.commands.find((c) => c.name() === 'user') ?? program.command('user').description('users and roles');
  user
    .command('add <username>')
    .description('create a user (admin; password from stdin or a prompt); through the server when signed in, else on the local database')
    .requiredOption('--role <role...>', 'one or more roles from the process template, e.g. cmc technical-lead')
    .option('--display-name <name>', 'full name')
    .option('--email <email>', 'e-mail address')
    .option('--no-password', 'create the user without a password (API tokens only)')
    .option('--local', 'use the local database even when signed in')
    .action(
      async (
        username: string,
        opts: { role: string[]; displayName?: string; email?: string; password: boolean; local?: boolean },
        cmd: Command,
      ) => {
        const password = opts.password ? await readSecret(`password for ${username}: `) : undefined;
        const roles = opts.role.flatMap((r) => r.split(',')).filter((r) => r !== '');
        const input = { username, roles, displayName: opts.displayName, email: opts.email, password };
        const u = throughServer(cmd, opts.local)
          ? await client(cmd).request<{ username: string; roles: string[] }>('POST', '/users', input)
          : await (await localRun()).addUserLocally(input);
        show(cmd, u, () => `created user ${u.username} with roles ${u.roles.join(', ')}`);
      },
    );

  const token = program.commands.find((c) => c.name() === 'token') ?? program.command('token').description('API tokens');
  token
    .command('create')
    .description('create an API token (prints it once); through the server when signed in, else on the local database')
    .option('--user <username>', 'the user the token acts as (required locally; signed in: yourself when absent, others: admin)')
    .option('--name <name>', 'a label for the token', 'cli')
    .option('--expires-in-days <days>', 'expiry in days', (v) => Number(v))
    .option('--local', 'use the local database even when signed in')
    .action(async (opts: { user?: string; name: string; expiresInDays?: number; local?: boolean }, cmd: Command) => {
      const input = { user: opts.user, name: opts.name, expiresInDays: opts.expiresInDays };
      let t: { token: string };
      if (throughServer(cmd, opts.local)) {
        t = await client(cmd).request<{ token: string }>('POST', '/tokens', input);
      } else {
        if (opts.user === undefined) throw new CliError('give --user: the user the token acts as', EXIT.usage);
        t = await (await localRun()).createTokenLocally(input);
      }
      show(cmd, t, () => t.token);
    });

  const audit = program.commands.find((c) => c.name() === 'audit') ?? program.command('audit').description('the audit trail');
  audit
    .command('verify')
    .description('check the audit hash chain (local; no server needed)')
    .action(async () => {
      await (await localRun()).verifyAuditLocally(program.opts<{ json?: boolean }>().json === true);
    });
}
