import type { Db, Trx } from '../../db/database.js';
import { externalContactEmails, groupByKey, resourceContactEmails } from '../../db/repositories/contacts.js';
import { activeRoleHolders, emailsOfActiveRoleHolders, emailsOfActiveUsers } from '../../db/repositories/recipients.js';
import type { ProcessTemplate, Recipient } from '../../domain/template/schema.js';

/** Who a mail is about, for the recipients that depend on it. */
export type RecipientContext = {
  applicationId: string;
  /** Username of the release's creator (`owner`). */
  owner?: string | undefined;
  /** Role ids of a checklist task's responsible people (`responsible`). */
  responsible?: string[] | undefined;
};

const usable = (e: string | null | undefined): e is string => typeof e === 'string' && e.includes('@');

/**
 * Turns the template's recipient references into addresses:
 * `role:<id>` → active users holding the role plus the resource list's
 * entries for it; `group:<id>` → the distribution group's address;
 * `system:<id>` → the external system's contacts and the template's address;
 * `owner` → the release creator; `responsible` → the task's roles, as for
 * `role:`. References that resolve to nobody are left out, so the caller can
 * tell a mail with no recipient at all.
 */
export async function resolveRecipients(
  db: Db | Trx,
  template: ProcessTemplate,
  refs: readonly Recipient[],
  ctx: RecipientContext,
): Promise<string[]> {
  const out: string[] = [];
  const roles = new Set<string>();
  for (const ref of refs) {
    if (ref === 'owner') {
      if (ctx.owner) out.push(...(await emailsOfUsers(db, [ctx.owner])));
    } else if (ref === 'responsible') {
      for (const r of ctx.responsible ?? []) roles.add(r);
    } else if (ref.startsWith('role:')) {
      roles.add(ref.slice(5));
    } else if (ref.startsWith('group:')) {
      const g = await groupByKey(db, ctx.applicationId, ref.slice(6));
      if (usable(g?.email)) out.push(g.email);
    } else if (ref.startsWith('system:')) {
      const id = ref.slice(7);
      const fixed = template.externalSystems.find((s) => s.id === id)?.email;
      if (usable(fixed)) out.push(fixed);
      out.push(...(await externalContactEmails(db, ctx.applicationId, id)).filter(usable));
    } else if (usable(ref)) {
      out.push(ref);
    }
  }
  if (roles.size > 0) out.push(...(await emailsOfRoles(db, ctx.applicationId, [...roles])));
  return out;
}

async function emailsOfUsers(db: Db | Trx, usernames: string[]): Promise<string[]> {
  return (await emailsOfActiveUsers(db, usernames)).filter(usable);
}

/** Active users holding one of the roles, then the resource list's people for them. */
export async function emailsOfRoles(db: Db | Trx, applicationId: string, roles: string[]): Promise<string[]> {
  if (roles.length === 0) return [];
  const users = await emailsOfActiveRoleHolders(db, roles);
  const contacts = await resourceContactEmails(db, applicationId, roles);
  return [...users, ...contacts].filter(usable);
}

/** Active users holding one of the roles, with their address (null when they have none), by username. */
export async function usersHoldingRoles(db: Db | Trx, roles: readonly string[]): Promise<{ username: string; email: string | null }[]> {
  return activeRoleHolders(db, roles);
}
