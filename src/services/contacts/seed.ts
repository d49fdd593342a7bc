import { randomUUID } from 'node:crypto';
import type { Trx } from '../../db/database.js';
import { insertContacts, insertGroups } from '../../db/repositories/contacts.js';
import type { ContactTable, DistributionGroupTable } from '../../db/schema.js';
import type { ProcessTemplate } from '../../domain/template/schema.js';
import type { ServiceDeps } from '../deps.js';

/**
 * A new application starts with the template's resource list, escalation
 * list and distribution groups (P16), managed in relman from then on. Runs in
 * the transaction that creates the application.
 */
export async function seedContacts(db: Trx, deps: ServiceDeps, appId: string, template: ProcessTemplate): Promise<void> {
  const now = deps.clock().toISOString();
  const contacts: ContactTable[] = [
    ...template.contacts.resources.map((c, i) => ({ kind: 'resource', position: i + 1, c })),
    ...template.contacts.escalation.map((c) => ({ kind: 'escalation', position: c.order, c })),
  ].map(({ kind, position, c }) => ({
    id: randomUUID(),
    application_id: appId,
    kind,
    role: c.role,
    system: null,
    person: c.person,
    phone: c.phone ?? null,
    email: c.email ?? null,
    position,
    created_at: now,
    updated_at: now,
  }));
  await insertContacts(db, contacts);
  const groups: DistributionGroupTable[] = template.contacts.groups.map((g) => ({
    id: randomUUID(),
    application_id: appId,
    key: g.id,
    name: g.name,
    email: g.email,
    description: g.description ?? '',
    created_at: now,
    updated_at: now,
  }));
  await insertGroups(db, groups);
}
