import type { Command } from 'commander';
import { keyValues, table } from '../output.js';
import { client, globals, int, list, show } from './remote.js';

type Release = Record<string, unknown> & { name: string; items?: Record<string, unknown>[] };
type Page<T> = { items: T[]; total: number; limit: number; offset: number };

const COLUMNS = ['name', 'type', 'state', 'plannedDate', 'channels', 'title'];

/** The change cycle and any blackout override, as `release show` prints them. */
function calendarLines(r: Release): string[] {
  const cycle = r['cycle'] as { date: string; title: string; status: string } | null | undefined;
  const override = r['blackoutOverride'] as { text: string } | null | undefined;
  return [
    `cycle:    ${cycle ? `${cycle.date} (${cycle.title}${cycle.status === 'planned' ? '' : `, ${cycle.status}`})` : '(not booked)'}`,
    ...(override ? [`blackout: ${override.text}`] : []),
  ];
}

export function registerReleases(program: Command): void {
  const release = program.command('release').description('releases');

  release
    .command('create')
    .description('create a release; it is named from the template’s pattern (e.g. CFIS001)')
    .requiredOption('--type <type>', 'release type from the template: scheduled, emergency, expedited')
    .requiredOption('--date <YYYY-MM-DD>', 'planned release date')
    .requiredOption('--channels <list>', 'comma-separated channels, e.g. database,web', list)
    .option('--title <title>', 'short title')
    .option('--description <text>', 'description')
    .option('--cycle <YYYY-MM-DD>', 'book into the change cycle of this date (the planned date becomes the cycle’s)')
    .option('--blackout-override-reason <text>', 'plan on a blackout anyway (emergency releases, CMC only)')
    .action(
      async (
        opts: {
          type: string;
          date: string;
          channels: string[];
          title?: string;
          description?: string;
          cycle?: string;
          blackoutOverrideReason?: string;
        },
        cmd: Command,
      ) => {
        const r = await client(cmd).request<Release>('POST', '/releases', {
          app: globals(cmd).app,
          type: opts.type,
          plannedDate: opts.date,
          channels: opts.channels,
          title: opts.title,
          description: opts.description,
          cycle: opts.cycle,
          blackoutOverrideReason: opts.blackoutOverrideReason,
        });
        show(cmd, r, () => `created release ${r.name}\n${keyValues(r, COLUMNS)}`);
      },
    );

  release
    .command('list')
    .description('list releases')
    .option('--state <list>', 'comma-separated states')
    .option('--type <list>', 'comma-separated release types')
    .option('--from <YYYY-MM-DD>', 'planned on or after')
    .option('--to <YYYY-MM-DD>', 'planned on or before')
    .option('--limit <n>', 'page size', int('--limit'))
    .option('--offset <n>', 'skip this many', int('--offset'))
    .action(async (opts: { state?: string; type?: string; from?: string; to?: string; limit?: number; offset?: number }, cmd: Command) => {
      const page = await client(cmd).request<Page<Release>>('GET', '/releases', undefined, { app: globals(cmd).app, ...opts });
      show(cmd, page, () => `${table(page.items, COLUMNS)}\n${page.items.length} of ${page.total}`);
    });

  release
    .command('show <name>')
    .description('show a release and its work items')
    .action(async (name: string, _opts: unknown, cmd: Command) => {
      const r = await client(cmd).request<Release>('GET', `/releases/${encodeURIComponent(name)}`, undefined, { app: globals(cmd).app });
      show(cmd, r, () =>
        [
          keyValues(r, [
            'name',
            'application',
            'type',
            'state',
            'plannedDate',
            'channels',
            'title',
            'description',
            'template',
            'createdBy',
            'createdAt',
            'version',
          ]),
          ...calendarLines(r),
          '',
          'items:',
          table(r.items ?? [], ['key', 'helpdeskRef', 'title', 'owner', 'priority']),
        ].join('\n'),
      );
    });

  release
    .command('update <name>')
    .description('change a release’s date, channels, title or description')
    .option('--date <YYYY-MM-DD>', 'planned release date')
    .option('--channels <list>', 'comma-separated channels', list)
    .option('--title <title>', 'short title')
    .option('--description <text>', 'description')
    .option('--cycle <YYYY-MM-DD>', 'book into the change cycle of this date')
    .option('--blackout-override-reason <text>', 'plan on a blackout anyway (emergency releases, CMC only)')
    .option('--expect-version <n>', 'refuse if the release changed since this version', int('--expect-version'))
    .action(
      async (
        name: string,
        opts: {
          date?: string;
          channels?: string[];
          title?: string;
          description?: string;
          cycle?: string;
          blackoutOverrideReason?: string;
          expectVersion?: number;
        },
        cmd: Command,
      ) => {
        const r = await client(cmd).request<Release>(
          'PATCH',
          `/releases/${encodeURIComponent(name)}`,
          {
            plannedDate: opts.date,
            channels: opts.channels,
            title: opts.title,
            description: opts.description,
            cycle: opts.cycle,
            blackoutOverrideReason: opts.blackoutOverrideReason,
            version: opts.expectVersion,
          },
          { app: globals(cmd).app },
        );
        show(cmd, r, () => `updated release ${r.name}\n${keyValues(r, COLUMNS)}`);
      },
    );
}
