import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { CliError, EXIT } from '../errors.js';
import { keyValues, table } from '../output.js';
import { client, globals, show } from './remote.js';

type Summary = Record<string, unknown> & { key: string; version: number };
type Version = Summary & { yaml: string };
type App = { key: string; template: { key: string; version: number } };

async function templateKeyOf(cmd: Command, key: string | undefined): Promise<string> {
  if (key) return key;
  const app = globals(cmd).app;
  const apps = await client(cmd).request<{ items: (App & { isDefault: boolean })[] }>('GET', '/applications');
  const chosen = app
    ? apps.items.find((a) => a.key === app)
    : apps.items.length === 1
      ? apps.items[0]
      : apps.items.find((a) => a.isDefault);
  if (!chosen) throw new CliError(app ? `no application "${app}"` : 'name an application with --app', EXIT.usage);
  return chosen.template.key;
}

function readFileOrFail(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (err) {
    throw new CliError(`cannot read ${file}: ${(err as Error).message}`, EXIT.usage);
  }
}

const SUMMARY = [
  'key',
  'version',
  'name',
  'changes',
  'sectionsChanged',
  'preparedBy',
  'reviewedBy',
  'publishedBy',
  'publishedAt',
  'sha256',
];

export function registerTemplates(program: Command): void {
  const template = program.command('template').description('process templates');

  template
    .command('show [key]')
    .description('show the template version in force, or KEY@N for version N (e.g. cms-net@2); --yaml prints its source')
    .option('--yaml', 'print the YAML source')
    .action(async (key: string | undefined, opts: { yaml?: boolean }, cmd: Command) => {
      // `relman --version` belongs to the program, so a version is named as key@N.
      const m = key === undefined ? null : /^(.*)@(\d+)$/.exec(key);
      const k = await templateKeyOf(cmd, m ? m[1] || undefined : key);
      const version = m ? m[2] : undefined;
      const v = await client(cmd).request<Version>('GET', `/templates/${encodeURIComponent(k)}`, undefined, { version });
      if (opts.yaml) {
        process.stdout.write(v.yaml.endsWith('\n') ? v.yaml : `${v.yaml}\n`);
        return;
      }
      show(cmd, v, () => keyValues(v, SUMMARY));
    });

  template
    .command('history [key]')
    .description('version history with document-control metadata')
    .action(async (key: string | undefined, _o: unknown, cmd: Command) => {
      const k = await templateKeyOf(cmd, key);
      const h = await client(cmd).request<{ items: Summary[] }>('GET', `/templates/${encodeURIComponent(k)}/versions`);
      show(cmd, h, () =>
        table(h.items, ['version', 'publishedAt', 'publishedBy', 'preparedBy', 'reviewedBy', 'sectionsChanged', 'changes']),
      );
    });

  template
    .command('validate <file>')
    .description('check a template file locally and list every problem')
    .action(async (file: string, _o: unknown, cmd: Command) => {
      const text = readFileOrFail(file);
      // The template reader (yaml, zod) is loaded only for this command.
      const { parseTemplateYaml } = await import('../../domain/template/parse.js');
      const r = parseTemplateYaml(text);
      if (!r.ok)
        throw new CliError(
          `${file} has ${r.problems.length} problem(s)`,
          EXIT.invalid,
          r.problems.map((p) => `${p.path}: ${p.message}`),
        );
      show(cmd, { ok: true, key: r.template.key }, () => `${file}: valid template "${r.template.key}"`);
    });

  template
    .command('publish <file>')
    .description(
      'publish a new template version (admin); refused with every problem listed. After the first version, each needs its own ' +
        'document-control record: what it changes, prepared by, reviewed by (options, or the file’s revision: block). ' +
        'Contacts in the file seed new applications only; running applications keep theirs (relman contact, relman group)',
    )
    .option('--changes <text>', 'what this version changes (document control); not an earlier version’s text')
    .option('--prepared-by <name>', 'the person who prepared it')
    .option('--reviewed-by <name>', 'the person who reviewed it (not the one who prepared it)')
    .option('--dry-run', 'validate against the server without publishing')
    .action(async (file: string, opts: { changes?: string; preparedBy?: string; reviewedBy?: string; dryRun?: boolean }, cmd: Command) => {
      const r = await client(cmd).request<Summary & { dryRun: boolean; notices?: string[] }>('POST', '/templates', {
        yaml: readFileOrFail(file),
        changes: opts.changes,
        preparedBy: opts.preparedBy,
        reviewedBy: opts.reviewedBy,
        dryRun: opts.dryRun,
      });
      const notes = (r.notices ?? []).map((n) => `\nnote: ${n}`).join('');
      show(cmd, r, () => `${r.dryRun ? 'would publish' : 'published'} ${r.key} version ${r.version}\n${keyValues(r, SUMMARY)}${notes}`);
    });
}
