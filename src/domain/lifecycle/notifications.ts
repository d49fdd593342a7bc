import type { SnapshotNotification } from './snapshot.js';

/** How a notice to an external system may be recorded by hand (an e-mail counts only when relman sent it and it was accepted). */
export const MANUAL_NOTICE_MEANS = ['phone', 'meeting', 'other'] as const;
export type ManualNoticeMeans = (typeof MANUAL_NOTICE_MEANS)[number];

const byHand: Record<string, string> = { phone: 'by phone', meeting: 'in a meeting', other: 'by other means' };

/** The notice that makes the system notified: one made by hand, or an e-mail the mail server accepted for the system. */
export function effectiveNotice(list: readonly SnapshotNotification[], system: string): SnapshotNotification | undefined {
  return list.find((n) => n.system === system && n.status === 'notified');
}

/**
 * A notice in a coordinator's words: "CATS notified by phone: <note>",
 * "CATS notified: e-mail <id> accepted for cats@… at T", or why an e-mail has
 * not notified the system yet.
 */
export function describeNotice(systemName: string, n: SnapshotNotification): string {
  const note = n.note.trim() ? `: ${n.note.trim()}` : '';
  if (n.means !== 'email') return `${systemName} notified ${byHand[n.means] ?? `by ${n.means}`}${note}`;
  const mail = `e-mail ${n.messageId ?? '?'}`;
  const to = n.addresses.join(', ') || 'no address';
  if (n.status === 'pending') return `${systemName} not notified yet: ${mail} to ${to} is awaiting delivery`;
  if (n.status === 'failed') return `${systemName} not notified: ${mail} to ${to} was not delivered (${n.outcome ?? 'failed'})`;
  const accepted =
    n.accepted === null ? `sent at ${n.settledAt ?? n.at}` : `accepted for ${n.accepted.join(', ')} at ${n.settledAt ?? n.at}`;
  const refused = n.outcome ? `; ${n.outcome}` : '';
  return `${systemName} notified: ${mail} ${accepted}${refused}${note}`;
}
