import type { Db, Trx } from '../../db/database.js';
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
      const g = await db
        .selectFrom('distribution_groups')
        .select('email')
        .where('application_id', '=', ctx.applicationId)
        .where('key', '=', ref.slice(6))
        .executeTakeFirst();
      if (usable(g?.email)) out.push(g.email);
    } else if (ref.startsWith('system:')) {
      const id = ref.slice(7);
      const fixed = template.externalSystems.find((s) => s.id === id)?.email;
      if (usable(fixed)) out.push(fixed);
      const rows = await db
        .selectFrom('contacts')
        .select('email')
        .where('application_id', '=', ctx.applicationId)
        .where('kind', '=', 'external')
        .where('system', '=', id)
        .orderBy('position')
        .execute();
      out.push(...rows.map((r) => r.email).filter(usable));
    } else if (usable(ref)) {
      out.push(ref);
    }
  }
  if (roles.size > 0) out.push(...(await emailsOfRoles(db, ctx.applicationId, [...roles])));
  return out;
}

async function emailsOfUsers(db: Db | Trx, usernames: string[]): Promise<string[]> {
  const rows = await db.selectFrom('users').select('email').where('username', 'in', usernames).where('disabled', '=', 0).execute();
  return rows.map((r) => r.email).filter(usable);
}

/** Active users holding one of the roles, then the resource list's people for them. */
export async function emailsOfRoles(db: Db | Trx, applicationId: string, roles: string[]): Promise<string[]> {
  if (roles.length === 0) return [];
  const users = await db
    .selectFrom('users')
    .innerJoin('user_roles', 'user_roles.user_id', 'users.id')
    .select('users.email')
    .where('user_roles.role', 'in', roles)
    .where('users.disabled', '=', 0)
    .orderBy('users.username')
    .execute();
  const contacts = await db
    .selectFrom('contacts')
    .select('email')
    .where('application_id', '=', applicationId)
    .where('kind', '=', 'resource')
    .where('role', 'in', roles)
    .orderBy('position')
    .execute();
  return [...users.map((u) => u.email), ...contacts.map((c) => c.email)].filter(usable);
}

/** Active users holding one of the roles, with their address (null when they have none), by username. */
export async function usersHoldingRoles(db: Db | Trx, roles: readonly string[]): Promise<{ username: string; email: string | null }[]> {
  if (roles.length === 0) return [];
  return db
    .selectFrom('users')
    .innerJoin('user_roles', 'user_roles.user_id', 'users.id')
    .select(['users.username', 'users.email'])
    .distinct()
    .where('user_roles.role', 'in', [...roles])
    .where('users.disabled', '=', 0)
    .orderBy('users.username')
    .execute();
}
