import { releaseChannels } from '../../db/repositories/releases.js';
import { mailCc, mailRecipients } from '../../db/repositories/mail-outbox.js';
import { displayNameByUsername } from '../../db/repositories/recipients.js';
import type { MailOutboxTable } from '../../db/schema.js';
import type { MailAuditView } from '../../domain/audit/mail.js';
import { ValidationError } from '../../domain/errors.js';
import type { MailValues } from '../../domain/mail-template.js';
import type { Recipient } from '../../domain/template/schema.js';
import type { Actor } from '../actor.js';
import type { ServiceDeps } from '../deps.js';
import type { LockedRelease } from '../lifecycle/release-lock.js';
import { selectFileSet } from '../packages/file-set.js';
import { keyOfItem } from '../work-item-view.js';
import { composeMail } from './compose.js';
import { enqueueMail } from './outbox.js';

export const DEFAULT_PUBLIC_URL = 'http://127.0.0.1:8080';

export const publicUrlOf = (deps: ServiceDeps): string => (deps.publicUrl ?? DEFAULT_PUBLIC_URL).replace(/\/+$/, '');

const appQueryOf = (l: LockedRelease): string => (l.ctx.app.is_default === 1 ? '' : `?app=${encodeURIComponent(l.ctx.app.key)}`);

/** The API address of a release (or of `rest` under it), with `?app=` unless it belongs to the default application. */
function releaseApiUrl(deps: ServiceDeps, l: LockedRelease, rest = ''): string {
  return `${publicUrlOf(deps)}/api/v1/releases/${encodeURIComponent(l.release.name)}${rest}${appQueryOf(l)}`;
}

/** The release's page in the browser, where a person reading the mail acts on it. */
function releasePageUrl(deps: ServiceDeps, l: LockedRelease): string {
  return `${publicUrlOf(deps)}/releases/${encodeURIComponent(l.release.name)}${appQueryOf(l)}`;
}

/** A person's display name, or their username when they have none (or are not a user, like `system`). */
export async function displayNameOf(l: Pick<LockedRelease, 'db'>, username: string): Promise<string> {
  return (await displayNameByUsername(l.db, username))?.trim() || username;
}

function formatSize(bytes: number): string {
  if (bytes < 1024) return `${bytes} bytes`;
  const units = ['KiB', 'MiB', 'GiB', 'TiB'];
  let v = bytes;
  let i = -1;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${v.toFixed(1)} ${units[i] ?? 'B'} (${bytes} bytes)`;
}

/**
 * The placeholders every release mail can use: the release, its packages
 * (per channel, its newest version and every file of its current file set —
 * a web channel's static ZIP and its WAR alike — with name, size, SHA-256
 * and download address), its work items, and who sends it.
 */
export async function releaseMailValues(deps: ServiceDeps, l: LockedRelease, actor: Actor): Promise<MailValues> {
  const r = l.release;
  const channels = releaseChannels.decode(r.channels);
  const packages = channels.map((channel) => {
    const name = l.template.channels.find((c) => c.id === channel)?.name ?? channel;
    let current: (typeof l.rows.packages)[number] | undefined;
    for (const p of l.rows.packages) if (p.channel === channel && (!current || p.version > current.version)) current = p;
    if (!current) return `- ${name}: no package recorded yet`;
    const head = `- ${name}, v${current.version}: ${current.label}`;
    const files = [...(selectFileSet(l.template, channel, l.rows.packages)?.rows ?? [])].sort((a, b) => a.version - b.version);
    if (files.length === 0) return `${head} (recorded without a file)`;
    return [
      head,
      ...files.flatMap((f) => [
        `  file:    ${f.file_name ?? `${r.name}-${channel}-v${f.version}`}${f.version === current.version ? '' : ` (v${f.version})`}, ${formatSize(Number(f.size ?? 0))}`,
        `  SHA-256: ${f.sha256 ?? ''}`,
        `  get it:  ${releaseApiUrl(deps, l, `/packages/${encodeURIComponent(channel)}/${f.version}/file`)}`,
      ]),
    ].join('\n');
  });
  const items = l.rows.items.map((i) => {
    const ref = i.helpdesk_ref ? ` (${i.helpdesk_ref})` : '';
    return `- ${keyOfItem(i)}${ref}: ${i.title}`;
  });
  return {
    'application.name': l.ctx.app.name,
    'release.name': r.name,
    'release.title': r.title,
    'release.type': l.template.releaseTypes.find((t) => t.id === r.type)?.name ?? r.type,
    'release.state': l.template.states.find((s) => s.id === r.state)?.name ?? r.state,
    'release.plannedDate': r.planned_date,
    'release.url': releasePageUrl(deps, l),
    'release.apiUrl': releaseApiUrl(deps, l),
    sender: await displayNameOf(l, actor.username),
    packages: packages.join('\n') || '(the release carries no channel)',
    items: items.join('\n') || '(no work item yet)',
  };
}

export type MailView = MailAuditView;

export const mailView = (m: MailOutboxTable, release: string | null): MailView => ({
  id: m.id,
  template: m.template,
  cause: m.cause,
  release,
  to: mailRecipients.decode(m.recipients),
  cc: mailCc.decode(m.cc),
  subject: m.subject,
  status: m.status,
  attempts: Number(m.attempts),
  nextAttemptAt: m.next_attempt_at,
  lastError: m.last_error,
  sentAt: m.sent_at,
  transport: m.transport,
  messageId: m.message_id,
  createdBy: m.created_by,
  createdAt: m.created_at,
});

export type QueueInput = { template: string; cause: string; values?: MailValues; extraTo?: readonly Recipient[] };

/**
 * Renders a mail template of the release's template version with the
 * release's values (plus `values`) and queues it; the caller audits it as part
 * of its write.
 */
export async function queueReleaseMailUnaudited(deps: ServiceDeps, l: LockedRelease, actor: Actor, input: QueueInput) {
  const values = { ...(await releaseMailValues(deps, l, actor)), ...(input.values ?? {}) };
  const mail = await composeMail(l.db, l.template, {
    mailTemplate: input.template,
    cause: input.cause,
    values,
    recipients: { applicationId: l.ctx.app.id, owner: l.release.created_by },
    releaseId: l.release.id,
    createdBy: actor.username,
    extraTo: input.extraTo,
  });
  return enqueueMail(l.db, deps, mail);
}

export type FollowUpMail = { template: string; mailId: string; messageId: string } | { template: string; skipped: string };

/**
 * For mails that follow a decision (an approval's notify): queued as part of
 * that write, whose own audit event lists them. A mail that resolves to
 * nobody must not undo the decision, so it is left out, with the reason.
 */
export async function queueFollowUpMail(deps: ServiceDeps, l: LockedRelease, actor: Actor, input: QueueInput): Promise<FollowUpMail> {
  try {
    const row = await queueReleaseMailUnaudited(deps, l, actor, input);
    return { template: input.template, mailId: row.id, messageId: row.message_id };
  } catch (err) {
    if (!(err instanceof ValidationError)) throw err;
    return { template: input.template, skipped: err.problems.map((p) => p.message).join('; ') || err.message };
  }
}
