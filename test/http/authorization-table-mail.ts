/** The mail routes of the authorization table (see authorization-table.ts for the meaning of each access). */
import { SYSTEM_ACTOR } from '../../src/services/actor.js';
import { createContact, createGroup } from '../../src/services/contacts/contacts.js';
import { sendReleaseMail } from '../../src/services/mail/send.js';
import { V, type Fixtures, type Route } from './authorization-table.js';

/** A queued mail about the table's release (to the deployment team's seeded group). */
const freshMail = async (fx: Fixtures) =>
  (await sendReleaseMail(fx.h.deps, SYSTEM_ACTOR, { name: fx.release }, { template: 'deployment-notice' })).id;
const freshContact = async (fx: Fixtures) =>
  (await createContact(fx.h.deps, SYSTEM_ACTOR, undefined, { kind: 'resource', role: 'deployment', person: fx.unique('Person') })).id;
const freshGroup = async (fx: Fixtures) =>
  (await createGroup(fx.h.deps, SYSTEM_ACTOR, undefined, { key: fx.unique('group'), name: 'To remove', email: 'remove@example.org' })).key;

export const MAIL_ROUTES: Route[] = [
  {
    method: 'POST',
    url: `${V}/releases/:name/mail`,
    access: 'mail.send',
    ok: 201,
    req: (fx, who) => ({ url: `${V}/releases/${fx.release}/mail`, payload: { template: 'release-notes', note: `from ${who}` } }),
  },
  { method: 'GET', url: `${V}/mail`, access: 'read', ok: 200 },
  { method: 'GET', url: `${V}/mail/:id`, access: 'read', ok: 200, req: async (fx) => ({ url: `${V}/mail/${await freshMail(fx)}` }) },
  {
    method: 'POST',
    url: `${V}/mail/:id/retry`,
    access: 'mail.send',
    ok: 200,
    req: async (fx) => ({ url: `${V}/mail/${await freshMail(fx)}/retry`, payload: {} }),
  },
  { method: 'GET', url: `${V}/contacts`, access: 'read', ok: 200 },
  {
    method: 'POST',
    url: `${V}/contacts`,
    access: 'contacts.manage',
    ok: 201,
    req: (fx) => ({ payload: { kind: 'escalation', role: 'cmc', person: fx.unique('Escalation'), phone: '555-0100' } }),
  },
  {
    method: 'PATCH',
    url: `${V}/contacts/:id`,
    access: 'contacts.manage',
    ok: 200,
    req: async (fx) => ({ url: `${V}/contacts/${await freshContact(fx)}`, payload: { email: 'someone@example.org' } }),
  },
  {
    method: 'DELETE',
    url: `${V}/contacts/:id`,
    access: 'contacts.manage',
    ok: 204,
    req: async (fx) => ({ url: `${V}/contacts/${await freshContact(fx)}` }),
  },
  { method: 'GET', url: `${V}/groups`, access: 'read', ok: 200 },
  {
    method: 'POST',
    url: `${V}/groups`,
    access: 'contacts.manage',
    ok: 201,
    req: (fx) => ({ payload: { key: fx.unique('team'), name: 'A team', email: 'team@example.org' } }),
  },
  {
    method: 'PATCH',
    url: `${V}/groups/:key`,
    access: 'contacts.manage',
    ok: 200,
    req: (fx) => ({ url: `${V}/groups/deployment-team`, payload: { description: fx.unique('Changed') } }),
  },
  {
    method: 'DELETE',
    url: `${V}/groups/:key`,
    access: 'contacts.manage',
    ok: 204,
    req: async (fx) => ({ url: `${V}/groups/${await freshGroup(fx)}` }),
  },
];
