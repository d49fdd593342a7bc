import type { Command } from 'commander';
import { keyValues, table } from '../output.js';
import { client, globals, show } from './remote.js';

type Row = Record<string, unknown>;
type Cycle = Row & { date: string; status: string; releases: { name: string }[] };
type Blackout = Row & { id: string; from: string; to: string; releases: { name: string }[] };
type Conflict = Row & { kind: string; date: string; message: string };

const CYCLE_COLUMNS = ['date', 'weekday', 'status', 'title', 'releases', 'note'];
const BLACKOUT_COLUMNS = ['id', 'from', 'to', 'channel', 'environment', 'effect', 'reason', 'releases'];

type FeedStatus = { exists: boolean; createdAt: string | null; lastUsedAt: string | null };

const feedExists = (s: FeedStatus): string =>
  [
    `you have a calendar feed URL, created ${s.createdAt ?? '-'}${s.lastUsedAt ? `, last fetched ${s.lastUsedAt}` : ', not fetched yet'}.`,
    'It cannot be shown again (only its hash is kept). To get a new one, which replaces it: relman calendar feed --rotate',
  ].join('\n');

const cycleRow = (c: Cycle): Row => ({ ...c, releases: c.releases.map((r) => r.name) });
const blackoutRow = (b: Blackout): Row => ({ ...b, releases: b.releases.map((r) => r.name) });
const cyclePath = (date: string, action: string) => `/cycles/${encodeURIComponent(date)}/${action}`;

export function registerCalendar(program: Command): void {
  const cycle = program.command('cycle').description('change cycles: the dates releases are deployed on');

  cycle
    .command('list')
    .description('list change cycles with their releases')
    .option('--from <YYYY-MM-DD>', 'on or after')
    .option('--to <YYYY-MM-DD>', 'on or before')
    .action(async (opts: { from?: string; to?: string }, cmd: Command) => {
      const res = await client(cmd).request<{ items: Cycle[] }>('GET', '/cycles', undefined, { app: globals(cmd).app, ...opts });
      show(cmd, res, () => table(res.items.map(cycleRow), CYCLE_COLUMNS));
    });

  cycle
    .command('create <date>')
    .description('plan a change cycle on a designated day (Saturdays by default)')
    .option('--one-off', 'a date that is not one of the template’s cycle days')
    .option('--title <title>', 'title shown in calendars')
    .option('--note <text>', 'note')
    .option('--no-book', 'do not book the releases already planned on that date into it')
    .action(async (date: string, opts: { oneOff?: boolean; title?: string; note?: string; book: boolean }, cmd: Command) => {
      const { book, ...rest } = opts;
      const c = await client(cmd).request<Cycle & { booked: string[] }>('POST', '/cycles', {
        app: globals(cmd).app,
        date,
        ...rest,
        bookPlanned: book,
      });
      show(cmd, c, () => {
        const booked = c.booked.length > 0 ? `\nbooked ${c.booked.length} release(s): ${c.booked.join(', ')}` : '';
        return `planned the change cycle of ${c.date}${booked}\n${keyValues(cycleRow(c), CYCLE_COLUMNS)}`;
      });
    });

  cycle
    .command('move <date>')
    .description('move a change cycle; its releases and their checklist dates move with it and their owners are told')
    .requiredOption('--to <YYYY-MM-DD>', 'the new date')
    .requiredOption('--reason <text>', 'why it moves (goes into the notice to the owners)')
    .option('--blackout-override-reason <text>', 'move onto a blackout anyway (CMC, emergency releases only)')
    .action(async (date: string, opts: { to: string; reason: string; blackoutOverrideReason?: string }, cmd: Command) => {
      const c = await client(cmd).request<Cycle>('POST', cyclePath(date, 'move'), opts, { app: globals(cmd).app });
      show(cmd, c, () => `moved the change cycle of ${date} to ${c.date}\n${keyValues(cycleRow(c), CYCLE_COLUMNS)}`);
    });

  cycle
    .command('cancel <date>')
    .description('cancel a change cycle; its releases keep their dates but are no longer booked')
    .requiredOption('--reason <text>', 'why it is cancelled')
    .action(async (date: string, opts: { reason: string }, cmd: Command) => {
      const c = await client(cmd).request<Cycle>('POST', cyclePath(date, 'cancel'), opts, { app: globals(cmd).app });
      show(cmd, c, () => `cancelled the change cycle of ${c.date}`);
    });

  const blackout = program.command('blackout').description('blackout windows: dates on which nothing may be deployed');

  blackout
    .command('list')
    .description('list blackout windows')
    .option('--from <YYYY-MM-DD>', 'touching this date or later')
    .option('--to <YYYY-MM-DD>', 'touching this date or earlier')
    .action(async (opts: { from?: string; to?: string }, cmd: Command) => {
      const res = await client(cmd).request<{ items: Blackout[] }>('GET', '/blackouts', undefined, { app: globals(cmd).app, ...opts });
      show(cmd, res, () => table(res.items.map(blackoutRow), BLACKOUT_COLUMNS));
    });

  blackout
    .command('add <from> [to]')
    .description('add a blackout window from FROM to TO (inclusive; one day when TO is absent)')
    .requiredOption('--reason <text>', 'why nothing may be deployed')
    .option('--channel <id>', 'only for releases carrying this channel')
    .option('--environment <id>', 'only for deployments to this environment')
    .action(
      async (from: string, to: string | undefined, opts: { reason: string; channel?: string; environment?: string }, cmd: Command) => {
        const b = await client(cmd).request<Blackout>('POST', '/blackouts', { app: globals(cmd).app, from, to, ...opts });
        show(cmd, b, () => {
          const lines = [`added blackout ${b.id}`, keyValues(blackoutRow(b), BLACKOUT_COLUMNS)];
          if (b.releases.length > 0) lines.push(`already planned inside it: ${b.releases.map((r) => r.name).join(', ')}`);
          return lines.join('\n');
        });
      },
    );

  blackout
    .command('remove <id>')
    .description('remove a blackout window')
    .action(async (id: string, _opts: unknown, cmd: Command) => {
      await client(cmd).request('DELETE', `/blackouts/${encodeURIComponent(id)}`, undefined, { app: globals(cmd).app });
      show(cmd, { removed: id }, () => `removed blackout ${id}`);
    });

  blackout
    .command('override <release>')
    .description('record a blackout override for a release planned before the window was added (CMC, emergency releases only)')
    .requiredOption('--reason <text>', 'why the release must go ahead in the blackout')
    .action(async (name: string, opts: { reason: string }, cmd: Command) => {
      const res = await client(cmd).request<Row & { release: string; plannedDate: string }>(
        'PUT',
        `/releases/${encodeURIComponent(name)}/blackout-override`,
        { reason: opts.reason },
        { app: globals(cmd).app },
      );
      show(cmd, res, () => `recorded a blackout override for ${res.release} on ${res.plannedDate}`);
    });

  const calendar = program.command('calendar').description('conflicts and your calendar feed');

  calendar
    .command('conflicts')
    .description('scheduling conflicts: one channel twice in a cycle, shared elements, cycles and releases on blackouts')
    .option('--from <YYYY-MM-DD>', 'from this date (default today)')
    .option('--to <YYYY-MM-DD>', 'to this date (default 180 days on)')
    .action(async (opts: { from?: string; to?: string }, cmd: Command) => {
      const res = await client(cmd).request<{ from: string; to: string; items: Conflict[] }>('GET', '/calendar/conflicts', undefined, {
        app: globals(cmd).app,
        ...opts,
      });
      show(
        cmd,
        res,
        () => `${table(res.items, ['date', 'kind', 'releases', 'message'])}\n${res.items.length} conflict(s) from ${res.from} to ${res.to}`,
      );
    });

  calendar
    .command('feed')
    .description('your secret calendar feed URL: created and printed when you have none; --rotate replaces it')
    .option('--rotate', 'replace your feed URL with a new one (calendars subscribed to the old one stop updating)')
    .action(async (opts: { rotate?: boolean }, cmd: Command) => {
      const api = client(cmd);
      type Created = { url: string; token: string; createdAt: string };
      if (opts.rotate) {
        const res = await api.request<Created>('POST', '/calendar/feed-token', { replace: true });
        show(cmd, res, () => res.url);
        return;
      }
      const status = await api.request<FeedStatus>('GET', '/calendar/feed-token');
      if (status.exists) {
        show(cmd, status, () => feedExists(status));
        return;
      }
      // `replace: false`: should another session have created one meanwhile, it is kept, not revoked.
      const res = await api.request<Created>('POST', '/calendar/feed-token', { replace: false });
      show(cmd, res, () => res.url);
    });

  calendar
    .command('revoke-feed')
    .description('revoke your calendar feed URL')
    .action(async (_opts: unknown, cmd: Command) => {
      await client(cmd).request('DELETE', '/calendar/feed-token');
      show(cmd, { revoked: true }, () => 'calendar feed revoked');
    });

  // `release book` sits with the other release commands (registered before this file's).
  const release = program.commands.find((c) => c.name() === 'release') ?? program.command('release').description('releases');
  release
    .command('book <release>')
    .description('book a release into a change cycle; its planned date becomes the cycle’s')
    .requiredOption('--cycle <YYYY-MM-DD>', 'the date of a planned change cycle')
    .option('--blackout-override-reason <text>', 'plan on a blackout anyway (emergency releases, CMC only)')
    .action(async (name: string, opts: { cycle: string; blackoutOverrideReason?: string }, cmd: Command) => {
      const r = await client(cmd).request<Row & { name: string; plannedDate: string }>(
        'PATCH',
        `/releases/${encodeURIComponent(name)}`,
        { cycle: opts.cycle, blackoutOverrideReason: opts.blackoutOverrideReason },
        { app: globals(cmd).app },
      );
      show(cmd, r, () => `booked ${r.name} into the change cycle of ${r.plannedDate}`);
    });
}
