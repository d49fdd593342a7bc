import { Command, CommanderError, Option } from 'commander';
import { SettingsError } from '../config/settings-error.js';
import { DomainError } from '../domain/errors.js';
import { RELMAN_VERSION } from '../version.js';
import { registerAdmin } from './commands/admin.js';
import { registerItems } from './commands/items.js';
import { registerLifecycleFacts } from './commands/lifecycle-facts.js';
import { registerLifecycle } from './commands/lifecycle.js';
import { registerLocal } from './commands/local.js';
import { registerLogin } from './commands/login.js';
import { registerPackages } from './commands/packages.js';
import { registerReleases } from './commands/releases.js';
import { registerServe } from './commands/serve.js';
import { registerTemplates } from './commands/templates.js';
import { registerCalendar } from './commands/calendar.js';
import { registerChecklist } from './commands/checklist.js';
import { registerContacts } from './commands/contacts.js';
import { registerDeploy } from './commands/deploy.js';
import { registerMail } from './commands/mail.js';
import { registerReports } from './commands/reports.js';
import { registerTargets } from './commands/targets.js';
import { CliError, EXIT } from './errors.js';

function reportError(err: unknown, json: boolean): number {
  if (err instanceof CliError) {
    // With --json a server's refusal is the problem document (with its unmet conditions) on stdout, for scripts.
    if (json && err.problem !== undefined) process.stdout.write(`${JSON.stringify(err.problem, null, 2)}\n`);
    process.stderr.write(`relman: ${err.message}\n`);
    for (const d of err.details) process.stderr.write(`  - ${d}\n`);
    return err.exitCode;
  }
  if (err instanceof SettingsError) {
    process.stderr.write(`relman: configuration: ${err.message}\n`);
    return EXIT.usage;
  }
  if (err instanceof DomainError) {
    process.stderr.write(`relman: ${err.message}\n`);
    const problems = (err as { problems?: { path: string; message: string }[] }).problems ?? [];
    for (const p of problems) process.stderr.write(`  - ${p.path}: ${p.message}\n`);
    const byCode: Record<string, number> = {
      'not-found': EXIT.notFound,
      forbidden: EXIT.auth,
      unauthenticated: EXIT.auth,
      validation: EXIT.invalid,
      'template-invalid': EXIT.invalid,
    };
    return byCode[err.code] ?? EXIT.conflict;
  }
  process.stderr.write(`relman: ${(err as Error).message ?? String(err)}\n`);
  return EXIT.failure;
}

/**
 * `relman --version` prints relman's version. Commander reads the program's
 * options anywhere on the line, so `relman package show R --version 2` would
 * print it too; the option therefore takes an optional value: with a value it
 * is the package version of the commands that declare `--version <n>`.
 */
function addVersionOption(program: Command): void {
  program
    .addOption(new Option('-V, --version [n]', 'print relman’s version; after `package show|coverage|download`: the package version'))
    .on('option:version', (value: string | null | undefined) => {
      if (value !== null && value !== undefined) return;
      process.stdout.write(`${RELMAN_VERSION}\n`);
      throw new CommanderError(0, 'commander.version', RELMAN_VERSION);
    })
    .hook('preAction', (_root, action) => {
      const v = program.opts<{ version?: string | boolean }>().version;
      if (typeof v === 'string' && !action.options.some((o) => o.long === '--version')) {
        throw new CliError(`"${action.name()}" takes no --version; \`relman --version\` alone prints relman’s version`, EXIT.usage);
      }
    });
}

/**
 * Runs one command line (`argv` as in `process.argv`: node, script, then the
 * arguments) and resolves to its exit code. It writes to process.stdout and
 * process.stderr and reads process.env and process.stdin as they are when it
 * runs; `main.ts` is the entry point that exits with the code.
 */
export async function main(argv: string[]): Promise<number> {
  const program = new Command('relman')
    .description('release and change management')
    .option('--json', 'machine-readable output')
    .option('--app <key>', 'application (system) to work on; default: the only or the default one')
    .option('--url <url>', 'server URL (default: RELMAN_URL, then `relman login`, then http://127.0.0.1:8080)')
    .option('--token <token>', 'API token (default: RELMAN_TOKEN, then `relman login`)')
    .showHelpAfterError()
    .exitOverride();
  addVersionOption(program);
  registerServe(program);
  registerLogin(program);
  registerReleases(program);
  registerLifecycle(program);
  registerLifecycleFacts(program);
  registerPackages(program);
  registerItems(program);
  registerTemplates(program);
  registerCalendar(program);
  registerChecklist(program);
  registerContacts(program);
  registerMail(program);
  registerReports(program);
  registerTargets(program);
  registerDeploy(program);
  registerLocal(program);
  registerAdmin(program);
  try {
    await program.parseAsync(argv);
    return EXIT.ok;
  } catch (err) {
    if (err instanceof CommanderError) {
      return err.exitCode === 0 ? EXIT.ok : EXIT.usage;
    }
    return reportError(err, program.opts<{ json?: boolean }>().json === true);
  }
}
