import os from 'node:os';
import type { Command } from 'commander';
import { loadSettings } from '../../config/settings.js';
import { migrateTo, migrateToLatest, migrationStatus } from '../../db/migrator.js';
import { openFromSettings } from '../../runtime.js';
import { localActor } from '../../services/actor.js';
import { verifyAudit } from '../../services/audit.js';
import { createToken } from '../../services/auth.js';
import { bootstrap } from '../../services/bootstrap.js';
import { printBootstrapReport } from '../bootstrap-report.js';
import type { ServiceDeps } from '../../services/deps.js';
import { addUser } from '../../services/users.js';
import { CliError, EXIT } from '../errors.js';
import { readSecret } from '../io.js';
import { printJson } from '../output.js';

/** Local admin commands run straight on the configured database, with no server. */
async function withDatabase<T>(fn: (deps: ServiceDeps) => Promise<T>): Promise<T> {
  const settings = loadSettings();
  const deps = openFromSettings(settings);
  try {
    return await fn(deps);
  } finally {
    await deps.database.close();
  }
}

async function ready(deps: ServiceDeps): Promise<void> {
  const settings = loadSettings();
  printBootstrapReport(await bootstrap(deps, { templateFile: settings.templateFile, adminPassword: settings.adminPassword }));
}

const actor = () => localActor(os.userInfo().username);

export function registerLocal(program: Command): void {
  program
    .command('migrate')
    .description('apply database migrations (local; no server needed)')
    .option('--to <migration>', 'migrate up or down to this migration; 0 reverts all')
    .option('--status', 'list migrations and whether they are applied')
    .action(async (opts: { to?: string; status?: boolean }) => {
      await withDatabase(async (deps) => {
        if (opts.status) {
          for (const m of await migrationStatus(deps.database.kysely)) {
            process.stdout.write(
              `${m.executedAt ? 'applied ' : 'pending '} ${m.name}${m.executedAt ? `  ${m.executedAt.toISOString()}` : ''}\n`,
            );
          }
          return;
        }
        const done = opts.to === undefined ? await migrateToLatest(deps.database.kysely) : await migrateTo(deps.database.kysely, opts.to);
        process.stdout.write(done.length === 0 ? 'database is up to date\n' : `${done.join('\n')}\n`);
      });
    });

  const user = program.commands.find((c) => c.name() === 'user') ?? program.command('user').description('users and roles');
  user
    .command('add <username>')
    .description('create a user (local; password from stdin or a prompt)')
    .requiredOption('--role <role...>', 'one or more roles from the process template, e.g. cmc technical-lead')
    .option('--display-name <name>', 'full name')
    .option('--email <email>', 'e-mail address')
    .option('--no-password', 'create the user without a password (API tokens only)')
    .action(async (username: string, opts: { role: string[]; displayName?: string; email?: string; password: boolean }) => {
      const password = opts.password ? await readSecret(`password for ${username}: `) : undefined;
      await withDatabase(async (deps) => {
        await ready(deps);
        const roles = opts.role.flatMap((r) => r.split(',')).filter((r) => r !== '');
        const u = await addUser(deps, actor(), { username, roles, displayName: opts.displayName, email: opts.email, password });
        if (program.opts<{ json?: boolean }>().json) printJson(u);
        else process.stdout.write(`created user ${u.username} with roles ${u.roles.join(', ')}\n`);
      });
    });

  const token = program.commands.find((c) => c.name() === 'token') ?? program.command('token').description('API tokens');
  token
    .command('create')
    .description('create an API token for a user (local; prints the token once)')
    .requiredOption('--user <username>', 'the user the token acts as')
    .option('--name <name>', 'a label for the token', 'cli')
    .option('--expires-in-days <days>', 'expiry in days', (v) => Number(v))
    .action(async (opts: { user: string; name: string; expiresInDays?: number }) => {
      await withDatabase(async (deps) => {
        await ready(deps);
        const t = await createToken(deps, actor(), { user: opts.user, name: opts.name, expiresInDays: opts.expiresInDays });
        if (program.opts<{ json?: boolean }>().json) printJson(t);
        else process.stdout.write(`${t.token}\n`);
      });
    });

  const audit = program.commands.find((c) => c.name() === 'audit') ?? program.command('audit').description('the audit trail');
  audit
    .command('verify')
    .description('check the audit hash chain (local; no server needed)')
    .action(async () => {
      await withDatabase(async (deps) => {
        const r = await verifyAudit(deps.database.kysely);
        if (program.opts<{ json?: boolean }>().json) printJson(r);
        if (r.ok) {
          if (!program.opts<{ json?: boolean }>().json) process.stdout.write(`OK: ${r.events} events, chain head ${r.headHash}\n`);
          return;
        }
        throw new CliError(
          `audit chain broken at event ${r.seq}${r.eventId ? ` (id ${r.eventId})` : ''}: ${r.reason}; ${r.events} events before it verified`,
          EXIT.auditBroken,
        );
      });
    });
}
