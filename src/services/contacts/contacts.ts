import { randomUUID } from 'node:crypto';
import type { Db, Trx } from '../../db/database.js';
import * as repo from '../../db/repositories/contacts.js';
import type { ContactTable, DistributionGroupTable } from '../../db/schema.js';
import type { ContactAuditView, GroupAuditView } from '../../domain/audit/contacts.js';
import { ConflictError, NotFoundError, ValidationError, type FieldProblem } from '../../domain/errors.js';
import type { ProcessTemplate } from '../../domain/template/schema.js';
import type { Actor } from '../actor.js';
import { resolveApplication, resolveApplicationForRead, type AppContext } from '../applications.js';
import { requireAppAction } from '../authorize.js';
import type { ServiceDeps } from '../deps.js';
import { write, type Audited, type WriteTx } from '../write.js';

export const CONTACT_KINDS = ['resource', 'escalation', 'external'] as const;
export type ContactKind = (typeof CONTACT_KINDS)[number];

export type ContactView = ContactAuditView;

export type GroupView = GroupAuditView;

export const contactView = (c: ContactTable): ContactView => ({
  id: c.id,
  kind: c.kind,
  role: c.role,
  system: c.system,
  person: c.person,
  phone: c.phone,
  email: c.email,
  order: Number(c.position),
  createdAt: c.created_at,
  updatedAt: c.updated_at,
});

export const groupView = (g: DistributionGroupTable): GroupView => ({
  key: g.key,
  name: g.name,
  email: g.email,
  description: g.description,
  createdAt: g.created_at,
  updatedAt: g.updated_at,
});

export type ContactInput = {
  kind: ContactKind;
  role?: string | null | undefined;
  system?: string | null | undefined;
  person: string;
  phone?: string | null | undefined;
  email?: string | null | undefined;
  order?: number | undefined;
};

export type ContactPatch = Partial<Omit<ContactInput, 'kind'>> & { kind?: ContactKind | undefined };

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The resource and escalation lists name roles of the template; external contacts name one of its systems. */
function contactProblems(template: ProcessTemplate, c: Pick<ContactTable, 'kind' | 'role' | 'system'>): FieldProblem[] {
  const problems: FieldProblem[] = [];
  const roles = template.roles.map((r) => r.id);
  const systems = template.externalSystems.map((s) => s.id);
  if (c.kind === 'external') {
    if (c.system === null)
      problems.push({ path: 'system', message: `an external contact names its system; one of: ${systems.join(', ')}` });
    else if (!systems.includes(c.system)) problems.push({ path: 'system', message: `"${c.system}"; one of: ${systems.join(', ')}` });
    if (c.role !== null && !roles.includes(c.role)) problems.push({ path: 'role', message: `"${c.role}"; one of: ${roles.join(', ')}` });
  } else {
    if (c.role === null) problems.push({ path: 'role', message: `a ${c.kind} contact names a role; one of: ${roles.join(', ')}` });
    else if (!roles.includes(c.role)) problems.push({ path: 'role', message: `"${c.role}"; one of: ${roles.join(', ')}` });
    if (c.system !== null) problems.push({ path: 'system', message: 'only external contacts belong to a system' });
  }
  return problems;
}

async function nextPosition(db: Db | Trx, appId: string, kind: string): Promise<number> {
  return (await repo.lastContactPosition(db, appId, kind)) + 1;
}

export async function listContacts(deps: ServiceDeps, app: string | undefined, kind?: ContactKind): Promise<ContactView[]> {
  const ctx = await resolveApplicationForRead(deps, app);
  return (await repo.contactsOf(deps.database.kysely, ctx.app.id, kind)).map(contactView);
}

/** A write on the application's contacts or groups: one write, by someone holding contacts.manage. */
async function manage<T>(
  deps: ServiceDeps,
  actor: Actor,
  app: string | undefined,
  fn: (tx: WriteTx, ctx: AppContext) => Promise<Audited<T>>,
): Promise<T> {
  return write(deps, actor, async (tx) => {
    const ctx = await resolveApplication(deps, tx.db, app);
    requireAppAction(ctx.template, actor, 'contacts.manage');
    return fn(tx, ctx);
  });
}

export async function createContact(deps: ServiceDeps, actor: Actor, app: string | undefined, input: ContactInput): Promise<ContactView> {
  return manage(deps, actor, app, async (tx, ctx) => {
    const { db } = tx;
    const now = deps.clock().toISOString();
    const row: ContactTable = {
      id: randomUUID(),
      application_id: ctx.app.id,
      kind: input.kind,
      role: input.role ?? null,
      system: input.system ?? null,
      person: input.person,
      phone: input.phone ?? null,
      email: input.email ?? null,
      position: input.order ?? (await nextPosition(db, ctx.app.id, input.kind)),
      created_at: now,
      updated_at: now,
    };
    const problems = contactProblems(ctx.template, row);
    if (problems.length > 0) throw new ValidationError('the contact does not fit the process template', problems);
    await repo.insertContacts(db, [row]);
    const view = contactView(row);
    return tx.audit({ action: 'contact.create', subjectType: 'contact', subjectId: row.id, after: view }, view);
  });
}

async function loadContact(db: Trx, appId: string, id: string): Promise<ContactTable> {
  const row = UUID.test(id) ? await repo.contactById(db, appId, id) : undefined;
  if (!row) throw new NotFoundError('contact', id);
  return row;
}

export async function updateContact(
  deps: ServiceDeps,
  actor: Actor,
  app: string | undefined,
  id: string,
  patch: ContactPatch,
): Promise<ContactView> {
  return manage(deps, actor, app, async (tx, ctx) => {
    const { db } = tx;
    const before = await loadContact(db, ctx.app.id, id);
    const kind = patch.kind ?? before.kind;
    const after: ContactTable = {
      ...before,
      kind,
      role: patch.role !== undefined ? patch.role : before.role,
      system: patch.system !== undefined ? patch.system : before.system,
      person: patch.person ?? before.person,
      phone: patch.phone !== undefined ? patch.phone : before.phone,
      email: patch.email !== undefined ? patch.email : before.email,
      position: patch.order ?? (kind !== before.kind ? await nextPosition(db, ctx.app.id, kind) : before.position),
      updated_at: deps.clock().toISOString(),
    };
    const problems = contactProblems(ctx.template, after);
    if (problems.length > 0) throw new ValidationError('the contact does not fit the process template', problems);
    const { id: _id, application_id: _app, created_at: _created, ...set } = after;
    await repo.updateContact(db, before.id, set);
    const view = contactView(after);
    return tx.audit(
      { action: 'contact.update', subjectType: 'contact', subjectId: before.id, before: contactView(before), after: view },
      view,
    );
  });
}

export async function deleteContact(deps: ServiceDeps, actor: Actor, app: string | undefined, id: string): Promise<void> {
  await manage(deps, actor, app, async (tx, ctx) => {
    const { db } = tx;
    const before = await loadContact(db, ctx.app.id, id);
    await repo.deleteContact(db, before.id);
    return tx.audit({ action: 'contact.delete', subjectType: 'contact', subjectId: before.id, before: contactView(before) }, undefined);
  });
}

export async function listGroups(deps: ServiceDeps, app: string | undefined): Promise<GroupView[]> {
  const ctx = await resolveApplicationForRead(deps, app);
  return (await repo.groupsOf(deps.database.kysely, ctx.app.id)).map(groupView);
}

export type GroupInput = { key: string; name: string; email: string; description?: string | undefined };

async function loadGroup(db: Trx, appId: string, key: string): Promise<DistributionGroupTable> {
  const g = await repo.groupByKey(db, appId, key);
  if (!g) throw new NotFoundError('group', key);
  return g;
}

export async function createGroup(deps: ServiceDeps, actor: Actor, app: string | undefined, input: GroupInput): Promise<GroupView> {
  return manage(deps, actor, app, async (tx, ctx) => {
    const { db } = tx;
    if (await repo.groupByKey(db, ctx.app.id, input.key)) throw new ConflictError(`group "${input.key}" already exists`);
    const now = deps.clock().toISOString();
    const row: DistributionGroupTable = {
      id: randomUUID(),
      application_id: ctx.app.id,
      key: input.key,
      name: input.name,
      email: input.email,
      description: input.description ?? '',
      created_at: now,
      updated_at: now,
    };
    await repo.insertGroups(db, [row]);
    const view = groupView(row);
    return tx.audit({ action: 'group.create', subjectType: 'group', subjectId: `${ctx.app.key}/${row.key}`, after: view }, view);
  });
}

export async function updateGroup(
  deps: ServiceDeps,
  actor: Actor,
  app: string | undefined,
  key: string,
  patch: Partial<Omit<GroupInput, 'key'>>,
): Promise<GroupView> {
  return manage(deps, actor, app, async (tx, ctx) => {
    const { db } = tx;
    const before = await loadGroup(db, ctx.app.id, key);
    const set = {
      name: patch.name ?? before.name,
      email: patch.email ?? before.email,
      description: patch.description ?? before.description,
      updated_at: deps.clock().toISOString(),
    };
    await repo.updateGroup(db, before.id, set);
    const view = groupView({ ...before, ...set });
    return tx.audit(
      { action: 'group.update', subjectType: 'group', subjectId: `${ctx.app.key}/${key}`, before: groupView(before), after: view },
      view,
    );
  });
}

export async function deleteGroup(deps: ServiceDeps, actor: Actor, app: string | undefined, key: string): Promise<void> {
  await manage(deps, actor, app, async (tx, ctx) => {
    const { db } = tx;
    const before = await loadGroup(db, ctx.app.id, key);
    await repo.deleteGroup(db, before.id);
    return tx.audit(
      { action: 'group.delete', subjectType: 'group', subjectId: `${ctx.app.key}/${key}`, before: groupView(before) },
      undefined,
    );
  });
}
