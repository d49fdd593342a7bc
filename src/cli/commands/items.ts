import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { CliError, EXIT } from '../errors.js';
import { keyValues, table } from '../output.js';
import { client, globals, helpdeskRef, int, show } from './remote.js';

type Item = Record<string, unknown> & { key: string };
type Page<T> = { items: T[]; total: number };

type TestRow = {
  release: string;
  environment: string;
  result: string;
  cause: string | null;
  packages: Record<string, number>;
  recordedBy: string;
  recordedAt: string;
};

/** Every test attempt of the item, in any release, oldest first. */
function testHistory(tests: TestRow[]): string {
  return table(
    tests.map((t) => ({
      release: t.release,
      environment: t.environment,
      result: t.result,
      cause: t.cause ?? '-',
      packages:
        Object.entries(t.packages)
          .map(([c, v]) => `${c} v${v}`)
          .join(', ') || '-',
      by: t.recordedBy,
      at: t.recordedAt,
    })),
    ['release', 'environment', 'result', 'cause', 'packages', 'by', 'at'],
  );
}

const COLUMNS = ['key', 'helpdeskRef', 'title', 'owner', 'priority', 'release'];
const DETAIL = [
  'key',
  'kind',
  'helpdeskRef',
  'title',
  'description',
  'owner',
  'priority',
  'release',
  'elements',
  'createdBy',
  'createdAt',
  'version',
];

/** `class:My.Pkg.Cls` → { type, name }; repeated flags collect. */
function element(value: string, previous: { type: string; name: string }[] = []): { type: string; name: string }[] {
  const i = value.indexOf(':');
  if (i <= 0 || i === value.length - 1)
    throw new CliError(`--element must be TYPE:NAME (e.g. class:CMS.Patient), got "${value}"`, EXIT.usage);
  return [...previous, { type: value.slice(0, i), name: value.slice(i + 1) }];
}

function elementsFromFile(file: string): { type: string; name: string }[] {
  return readFileSync(file, 'utf8')
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l !== '' && !l.startsWith('#'))
    .reduce<{ type: string; name: string }[]>((acc, l) => element(l, acc), []);
}

export function registerItems(program: Command): void {
  const item = program.command('item').description('work items (IR, SMCR, DR)');

  item
    .command('create')
    .description('create a work item')
    .requiredOption('--kind <kind>', 'IR, SMCR or DR (from the template)')
    .requiredOption('--ref <ref>', 'help-desk reference', (v: string) => helpdeskRef(v))
    .requiredOption('--title <title>', 'title')
    .option('--description <text>', 'description')
    .option('--owner <username>', 'owner')
    .option('--priority <priority>', 'priority from the template')
    .option('--element <TYPE:NAME>', 'an element the item changes (repeatable)', element)
    .option('--elements-file <file>', 'file with one TYPE:NAME per line')
    .action(
      async (
        opts: {
          kind: string;
          ref: string;
          title: string;
          description?: string;
          owner?: string;
          priority?: string;
          element?: { type: string; name: string }[];
          elementsFile?: string;
        },
        cmd: Command,
      ) => {
        const elements = [...(opts.element ?? []), ...(opts.elementsFile ? elementsFromFile(opts.elementsFile) : [])];
        const it = await client(cmd).request<Item>('POST', '/items', {
          app: globals(cmd).app,
          kind: opts.kind,
          helpdeskRef: opts.ref,
          title: opts.title,
          description: opts.description,
          owner: opts.owner,
          priority: opts.priority,
          elements,
        });
        show(cmd, it, () => `created work item ${it.key}\n${keyValues(it, DETAIL)}`);
      },
    );

  item
    .command('list')
    .description('list work items')
    .option('--kind <list>', 'comma-separated kinds')
    .option('--release <name>', 'items of a release, or `none`')
    .option('--owner <username>', 'owner')
    .option('--priority <priority>', 'priority')
    .option('--search <text>', 'text in title or help-desk reference')
    .option('--limit <n>', 'page size', int('--limit'))
    .option('--offset <n>', 'skip this many', int('--offset'))
    .action(
      async (
        opts: { kind?: string; release?: string; owner?: string; priority?: string; search?: string; limit?: number; offset?: number },
        cmd: Command,
      ) => {
        const { search, ...rest } = opts;
        const page = await client(cmd).request<Page<Item>>('GET', '/items', undefined, { app: globals(cmd).app, ...rest, q: search });
        show(cmd, page, () => `${table(page.items, COLUMNS)}\n${page.items.length} of ${page.total}`);
      },
    );

  item
    .command('show <key>')
    .description('show a work item')
    .action(async (key: string, _o: unknown, cmd: Command) => {
      const it = await client(cmd).request<Item & { tests: TestRow[] }>('GET', `/items/${encodeURIComponent(key)}`, undefined, {
        app: globals(cmd).app,
      });
      show(cmd, it, () => `${keyValues(it, DETAIL)}\n\ntest history:\n${testHistory(it.tests)}`);
    });

  item
    .command('update <key>')
    .description('change a work item')
    .option('--ref <ref>', 'help-desk reference', (v: string) => helpdeskRef(v))
    .option('--title <title>', 'title')
    .option('--description <text>', 'description')
    .option('--owner <username>', 'owner (`none` to clear)')
    .option('--priority <priority>', 'priority')
    .option('--element <TYPE:NAME>', 'replace the elements with these (repeatable)', element)
    .option('--elements-file <file>', 'replace the elements with those in the file')
    .option('--expect-version <n>', 'refuse if the item changed since this version', int('--expect-version'))
    .action(
      async (
        key: string,
        opts: {
          ref?: string;
          title?: string;
          description?: string;
          owner?: string;
          priority?: string;
          element?: { type: string; name: string }[];
          elementsFile?: string;
          expectVersion?: number;
        },
        cmd: Command,
      ) => {
        const elements =
          opts.element || opts.elementsFile
            ? [...(opts.element ?? []), ...(opts.elementsFile ? elementsFromFile(opts.elementsFile) : [])]
            : undefined;
        const it = await client(cmd).request<Item>(
          'PATCH',
          `/items/${encodeURIComponent(key)}`,
          {
            helpdeskRef: opts.ref,
            title: opts.title,
            description: opts.description,
            owner: opts.owner === 'none' ? null : opts.owner,
            priority: opts.priority,
            elements,
            version: opts.expectVersion,
          },
          { app: globals(cmd).app },
        );
        show(cmd, it, () => `updated ${it.key}\n${keyValues(it, DETAIL)}`);
      },
    );

  const assign = async (cmd: Command, key: string, release: string | null, move: boolean) => {
    const it = await client(cmd).request<Item>(
      'PUT',
      `/items/${encodeURIComponent(key)}/release`,
      { release, move },
      { app: globals(cmd).app },
    );
    show(cmd, it, () => (it.release ? `${it.key} is in ${it.release as string}` : `${it.key} is in no release`));
  };
  item
    .command('attach <key> <release>')
    .description('put an item into a release (refused if it is in another one: use move)')
    .action((key: string, release: string, _o: unknown, cmd: Command) => assign(cmd, key, release, false));
  item
    .command('move <key> <release>')
    .description('move an item from its release to another')
    .action((key: string, release: string, _o: unknown, cmd: Command) => assign(cmd, key, release, true));
  item
    .command('detach <key>')
    .description('take an item out of its release')
    .action((key: string, _o: unknown, cmd: Command) => assign(cmd, key, null, false));
}
