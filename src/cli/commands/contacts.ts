import type { Command } from 'commander';
import { CliError, EXIT } from '../errors.js';
import { table } from '../output.js';
import { client, globals, int, show } from './remote.js';

type Contact = Record<string, unknown> & { id: string; kind: string; person: string };
type Group = Record<string, unknown> & { key: string; email: string };

const CONTACT_COLUMNS = ['id', 'kind', 'order', 'role', 'system', 'person', 'phone', 'email'];
const GROUP_COLUMNS = ['key', 'name', 'email', 'description'];
const KINDS = ['resource', 'escalation', 'external'];

function kind(v: string): string {
  if (!KINDS.includes(v)) throw new CliError(`--kind must be one of ${KINDS.join(', ')}, got "${v}"`, EXIT.usage);
  return v;
}

/** `--phone ""` clears a field on update. */
const orNull = (v: string | undefined) => (v === undefined ? undefined : v.trim() === '' ? null : v);

type ContactOpts = { kind?: string; role?: string; system?: string; person?: string; phone?: string; email?: string; order?: number };

/** Resource and escalation lists, external systems' contacts, distribution groups (P1, P16). */
export function registerContacts(program: Command): void {
  const contact = program.command('contact').description('resource list, escalation list and external systems’ contacts');

  contact
    .command('list')
    .description('list contacts')
    .option('--kind <kind>', 'resource, escalation or external', kind)
    .action(async (opts: { kind?: string }, cmd: Command) => {
      const rows = await client(cmd).request<Contact[]>('GET', '/contacts', undefined, { app: globals(cmd).app, kind: opts.kind });
      show(cmd, rows, () => table(rows, CONTACT_COLUMNS));
    });

  contact
    .command('add')
    .description('add a contact: --kind resource|escalation with --role, or --kind external with --system')
    .requiredOption('--kind <kind>', 'resource, escalation or external', kind)
    .requiredOption('--person <name>', 'who')
    .option('--role <role>', 'role of the template (resource and escalation contacts)')
    .option('--system <id>', 'external system of the template (external contacts)')
    .option('--phone <phone>', 'phone number')
    .option('--email <address>', 'e-mail address')
    .option('--order <n>', 'escalation order or list position (default: last)', int('--order'))
    .action(async (opts: ContactOpts, cmd: Command) => {
      const c = await client(cmd).request<Contact>('POST', '/contacts', opts, { app: globals(cmd).app });
      show(cmd, c, () => `added ${c.kind} contact ${c.person} (${c.id})`);
    });

  contact
    .command('update <id>')
    .description('change a contact (an empty --phone, --email, --role or --system clears it)')
    .option('--kind <kind>', 'resource, escalation or external', kind)
    .option('--person <name>', 'who')
    .option('--role <role>', 'role of the template')
    .option('--system <id>', 'external system of the template')
    .option('--phone <phone>', 'phone number')
    .option('--email <address>', 'e-mail address')
    .option('--order <n>', 'escalation order or list position', int('--order'))
    .action(async (id: string, opts: ContactOpts, cmd: Command) => {
      const body = {
        kind: opts.kind,
        person: opts.person,
        role: orNull(opts.role),
        system: orNull(opts.system),
        phone: orNull(opts.phone),
        email: orNull(opts.email),
        order: opts.order,
      };
      const c = await client(cmd).request<Contact>('PATCH', `/contacts/${encodeURIComponent(id)}`, body, { app: globals(cmd).app });
      show(cmd, c, () => `updated ${c.kind} contact ${c.person} (${c.id})`);
    });

  contact
    .command('remove <id>')
    .description('remove a contact')
    .action(async (id: string, _opts: unknown, cmd: Command) => {
      await client(cmd).request('DELETE', `/contacts/${encodeURIComponent(id)}`, undefined, { app: globals(cmd).app });
      show(cmd, { removed: id }, () => `removed contact ${id}`);
    });

  const group = program.command('group').description('distribution groups, e.g. the deployment team’s group address');

  group
    .command('list')
    .description('list distribution groups')
    .action(async (_opts: unknown, cmd: Command) => {
      const rows = await client(cmd).request<Group[]>('GET', '/groups', undefined, { app: globals(cmd).app });
      show(cmd, rows, () => table(rows, GROUP_COLUMNS));
    });

  group
    .command('add <key>')
    .description('add a distribution group (mail templates address it as group:<key>)')
    .requiredOption('--name <name>', 'name')
    .requiredOption('--email <address>', 'the group’s address')
    .option('--description <text>', 'description')
    .action(async (key: string, opts: { name: string; email: string; description?: string }, cmd: Command) => {
      const g = await client(cmd).request<Group>('POST', '/groups', { key, ...opts }, { app: globals(cmd).app });
      show(cmd, g, () => `added group ${g.key} <${g.email}>`);
    });

  group
    .command('update <key>')
    .description('change a distribution group')
    .option('--name <name>', 'name')
    .option('--email <address>', 'the group’s address')
    .option('--description <text>', 'description')
    .action(async (key: string, opts: { name?: string; email?: string; description?: string }, cmd: Command) => {
      const g = await client(cmd).request<Group>('PATCH', `/groups/${encodeURIComponent(key)}`, opts, { app: globals(cmd).app });
      show(cmd, g, () => `updated group ${g.key} <${g.email}>`);
    });

  group
    .command('remove <key>')
    .description('remove a distribution group')
    .action(async (key: string, _opts: unknown, cmd: Command) => {
      await client(cmd).request('DELETE', `/groups/${encodeURIComponent(key)}`, undefined, { app: globals(cmd).app });
      show(cmd, { removed: key }, () => `removed group ${key}`);
    });
}
