import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import {
  CONTACT_KINDS,
  createContact,
  createGroup,
  deleteContact,
  deleteGroup,
  listContacts,
  listGroups,
  updateContact,
  updateGroup,
} from '../../services/contacts/contacts.js';
import type { RouteOptions } from '../app.js';
import { actorOf } from '../auth.js';
import { appQuery, errorResponses, identifier, int, text } from '../schemas/common.js';

const contactSchema = z.object({
  id: z.string(),
  kind: z.string().describe('resource, escalation or external'),
  role: z.string().nullable(),
  system: z.string().nullable(),
  person: z.string(),
  phone: z.string().nullable(),
  email: z.string().nullable(),
  order: z.number().int().describe('Escalation order (1 first); list order for the others'),
  createdAt: z.string(),
  updatedAt: z.string(),
});

const groupSchema = z.object({
  key: z.string(),
  name: z.string(),
  email: z.string(),
  description: z.string(),
  createdAt: z.string(),
  updatedAt: z.string(),
});

const person = z.string().trim().min(1).max(200);
const phone = z.string().trim().min(1).max(50);
const email = z.email().max(320);
const order = int(1, 10_000);
const appOnly = z.object({ app: appQuery }).strict();
const contactId = z.object({ id: z.uuid() });
const groupKey = z.object({ key: identifier });

/** Resource list, escalation list, external systems' contacts and distribution groups (P1, P16). */
export const contactsRoutes: FastifyPluginAsyncZod<RouteOptions> = async (app, { deps }) => {
  app.get(
    '/contacts',
    {
      schema: {
        tags: ['contacts'],
        summary: 'The resource list, escalation list and external systems’ contacts of the application',
        querystring: z.object({ app: appQuery, kind: z.enum(CONTACT_KINDS).optional() }).strict(),
        response: { 200: z.array(contactSchema), ...errorResponses },
      },
    },
    async (req) => listContacts(deps, req.query.app, req.query.kind),
  );

  app.post(
    '/contacts',
    {
      schema: {
        tags: ['contacts'],
        summary: 'Add a contact: a resource or escalation contact for a role, or a contact of an external system',
        querystring: appOnly,
        body: z
          .object({
            kind: z.enum(CONTACT_KINDS),
            role: identifier.optional().describe('A role of the template; required for resource and escalation contacts'),
            system: identifier.optional().describe('An external system of the template; required for external contacts'),
            person,
            phone: phone.optional(),
            email: email.optional(),
            order: order.optional().describe('Escalation order or list position; after the last one when absent'),
          })
          .strict(),
        response: { 201: contactSchema, ...errorResponses },
      },
    },
    async (req, reply) => reply.code(201).send(await createContact(deps, actorOf(req), req.query.app, req.body)),
  );

  app.patch(
    '/contacts/:id',
    {
      schema: {
        tags: ['contacts'],
        summary: 'Change a contact; null clears role, system, phone or e-mail',
        params: contactId,
        querystring: appOnly,
        body: z
          .object({
            kind: z.enum(CONTACT_KINDS).optional(),
            role: identifier.nullable().optional(),
            system: identifier.nullable().optional(),
            person: person.optional(),
            phone: phone.nullable().optional(),
            email: email.nullable().optional(),
            order: order.optional(),
          })
          .strict(),
        response: { 200: contactSchema, ...errorResponses },
      },
    },
    async (req) => updateContact(deps, actorOf(req), req.query.app, req.params.id, req.body),
  );

  app.delete(
    '/contacts/:id',
    {
      schema: {
        tags: ['contacts'],
        summary: 'Remove a contact',
        params: contactId,
        querystring: appOnly,
        response: { 204: z.null().describe('Removed'), ...errorResponses },
      },
    },
    async (req, reply) => {
      await deleteContact(deps, actorOf(req), req.query.app, req.params.id);
      return reply.code(204).send(null);
    },
  );

  app.get(
    '/groups',
    {
      schema: {
        tags: ['contacts'],
        summary: 'Distribution groups (e.g. the deployment team’s group address), used by mail templates as group:<key>',
        querystring: appOnly,
        response: { 200: z.array(groupSchema), ...errorResponses },
      },
    },
    async (req) => listGroups(deps, req.query.app),
  );

  app.post(
    '/groups',
    {
      schema: {
        tags: ['contacts'],
        summary: 'Add a distribution group',
        querystring: appOnly,
        body: z.object({ key: identifier, name: z.string().trim().min(1).max(200), email, description: text(2000).optional() }).strict(),
        response: { 201: groupSchema, ...errorResponses },
      },
    },
    async (req, reply) => reply.code(201).send(await createGroup(deps, actorOf(req), req.query.app, req.body)),
  );

  app.patch(
    '/groups/:key',
    {
      schema: {
        tags: ['contacts'],
        summary: 'Change a distribution group’s name, address or description',
        params: groupKey,
        querystring: appOnly,
        body: z
          .object({ name: z.string().trim().min(1).max(200).optional(), email: email.optional(), description: text(2000).optional() })
          .strict(),
        response: { 200: groupSchema, ...errorResponses },
      },
    },
    async (req) => updateGroup(deps, actorOf(req), req.query.app, req.params.key, req.body),
  );

  app.delete(
    '/groups/:key',
    {
      schema: {
        tags: ['contacts'],
        summary: 'Remove a distribution group',
        params: groupKey,
        querystring: appOnly,
        response: { 204: z.null().describe('Removed'), ...errorResponses },
      },
    },
    async (req, reply) => {
      await deleteGroup(deps, actorOf(req), req.query.app, req.params.key);
      return reply.code(204).send(null);
    },
  );
};
