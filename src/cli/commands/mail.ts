import type { Command } from 'commander';
import { CliError, EXIT } from '../errors.js';
import { keyValues, table } from '../output.js';
import { client, globals, int, show } from './remote.js';

type Mail = Record<string, unknown> & { id: string; status: string; subject: string; body?: string };
type Page<T> = { items: T[]; total: number; limit: number; offset: number };

const COLUMNS = ['id', 'status', 'template', 'release', 'to', 'subject', 'attempts', 'nextAttemptAt', 'lastError'];
const DETAIL = [
  'id',
  'status',
  'template',
  'cause',
  'release',
  'to',
  'cc',
  'subject',
  'attempts',
  'nextAttemptAt',
  'lastError',
  'sentAt',
  'transport',
  'messageId',
  'createdBy',
  'createdAt',
];
const STATUSES = ['pending', 'sent', 'failed'];
const collect = (v: string, previous: string[] = []) => [...previous, v];

/** The outbox: sending the template's mails about a release and following what became of them. */
export function registerMail(program: Command): void {
  const mail = program.command('mail').description('e-mail: send a template’s mail about a release, list the outbox, retry a failed mail');

  mail
    .command('list')
    .description('list the outbox, newest first')
    .option('--release <name>', 'only mails about this release')
    .option('--status <status>', 'pending, sent or failed')
    .option('--limit <n>', 'page size', int('--limit'))
    .option('--offset <n>', 'skip this many', int('--offset'))
    .action(async (opts: { release?: string; status?: string; limit?: number; offset?: number }, cmd: Command) => {
      if (opts.status !== undefined && !STATUSES.includes(opts.status)) {
        throw new CliError(`--status must be one of ${STATUSES.join(', ')}, got "${opts.status}"`, EXIT.usage);
      }
      const page = await client(cmd).request<Page<Mail>>('GET', '/mail', undefined, { app: globals(cmd).app, ...opts });
      show(cmd, page, () => `${table(page.items, COLUMNS)}\n${page.items.length} of ${page.total}`);
    });

  mail
    .command('show <id>')
    .description('show a mail with its body')
    .action(async (id: string, _opts: unknown, cmd: Command) => {
      const m = await client(cmd).request<Mail>('GET', `/mail/${encodeURIComponent(id)}`, undefined, { app: globals(cmd).app });
      show(cmd, m, () => `${keyValues(m, DETAIL)}\n\n${m.body ?? ''}`.trimEnd());
    });

  mail
    .command('retry <id>')
    .description('make a failed (or waiting) mail due now; the next delivery run sends it')
    .option('--comment <text>', 'why, for the audit trail')
    .action(async (id: string, opts: { comment?: string }, cmd: Command) => {
      const m = await client(cmd).request<Mail>('POST', `/mail/${encodeURIComponent(id)}/retry`, opts, { app: globals(cmd).app });
      show(cmd, m, () => `mail ${m.id} is ${m.status}, due at ${String(m.nextAttemptAt)}`);
    });

  mail
    .command('send <release>')
    .description('send one of the template’s mails about a release (deployment-notice, release-notes, external-notice …)')
    .requiredOption('--template <id>', 'mail template of the process template')
    .option('--note <text>', 'text for the {{note}} placeholder')
    .option('--to <recipient>', 'extra recipient: an address, role:<id>, group:<id> or system:<id> (repeatable)', collect)
    .option('--system <id>', 'external system the mail goes to, e.g. cats (repeatable)', collect)
    .action(async (name: string, opts: { template: string; note?: string; to?: string[]; system?: string[] }, cmd: Command) => {
      const m = await client(cmd).request<
        Mail & { tasksAwaitingDelivery: string[]; notifications: { system: string; addresses: string[] }[] }
      >(
        'POST',
        `/releases/${encodeURIComponent(name)}/mail`,
        { template: opts.template, note: opts.note, to: opts.to, systems: opts.system },
        { app: globals(cmd).app },
      );
      show(cmd, m, () => {
        const lines = [
          `queued ${String(m.template)} for ${name} to ${[...(m.to as string[]), ...(m.cc as string[])].join(', ')} (mail ${m.id})`,
        ];
        if (m.tasksAwaitingDelivery.length > 0)
          lines.push(
            `checklist task(s) sent, awaiting delivery: ${m.tasksAwaitingDelivery.join(', ')} (done once the mail server accepts it)`,
          );
        if (m.notifications.length > 0)
          lines.push(
            `notice awaiting delivery to: ${m.notifications.map((n) => `${n.system} (${n.addresses.join(', ')})`).join(', ')} (notified once the mail server accepts it)`,
          );
        return lines.join('\n');
      });
    });
}
