import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { recipientSchema } from '../../domain/template/schema.js';
import { getMail, listMail, MAIL_STATUSES, retryMail } from '../../services/mail/read.js';
import { sendReleaseMail } from '../../services/mail/send.js';
import type { RouteOptions } from '../app.js';
import { actorOf } from '../auth.js';
import { appQuery, errorResponses, identifier, pageOf, pageQuery, text } from '../schemas/common.js';
import { notificationSchema } from '../schemas/lifecycle.js';

export const mailSchema = z.object({
  id: z.string(),
  template: z.string().describe('The mail template of the process template'),
  cause: z.string().describe('What queued it: release.mail, approval.<step>, checklist.reminder …'),
  release: z.string().nullable(),
  to: z.array(z.string()),
  cc: z.array(z.string()),
  subject: z.string(),
  status: z.string().describe('pending (queued or waiting for a retry), sent, failed (gave up; retry by hand)'),
  attempts: z.number().int(),
  nextAttemptAt: z.string(),
  lastError: z.string().nullable(),
  sentAt: z.string().nullable(),
  transport: z.string().nullable().describe('smtp or maildir'),
  messageId: z.string(),
  createdBy: z.string(),
  createdAt: z.string(),
});

const sentMailSchema = mailSchema.extend({
  tasksAwaitingDelivery: z
    .array(z.string())
    .describe('Checklist tasks this mail completes once the mail server accepts it: "sent, awaiting delivery" until then'),
  notifications: z
    .array(notificationSchema)
    .describe('Notices to the named systems (gate 2): pending until the mail server accepts each system’s address'),
});

const appOnly = z.object({ app: appQuery }).strict();
const mailId = z.object({ id: z.string().min(1).max(64) });

/** The outbox (P14, P15): sending the template's mails about a release, and what became of every mail. */
export const mailRoutes: FastifyPluginAsyncZod<RouteOptions> = async (app, { deps }) => {
  app.post(
    '/releases/:name/mail',
    {
      schema: {
        tags: ['mail'],
        summary:
          'Send a mail template about the release (queued, delivered in the background). The checklist tasks it stands for are done, and the systems it notifies are notified (gate 2), once the mail server accepts the mail; a named system without an address is refused',
        params: z.object({ name: z.string().min(1).max(64) }),
        querystring: appOnly,
        body: z
          .object({
            template: identifier.describe('A mail template of the release’s process template, e.g. deployment-notice'),
            note: text(4000).optional().describe('Text for the {{note}} placeholder'),
            to: z.array(recipientSchema).max(50).optional().describe('Extra recipients: role:<id>, group:<id>, system:<id> or addresses'),
            systems: z.array(identifier).max(50).optional().describe('External systems the mail goes to (their contacts and address)'),
          })
          .strict(),
        response: { 201: sentMailSchema, ...errorResponses },
      },
    },
    async (req, reply) =>
      reply.code(201).send(await sendReleaseMail(deps, actorOf(req), { app: req.query.app, name: req.params.name }, req.body)),
  );

  app.get(
    '/mail',
    {
      schema: {
        tags: ['mail'],
        summary: 'The outbox, newest first: queued, sent, waiting for a retry or failed mails, by release and status',
        querystring: z
          .object({
            app: appQuery,
            release: z.string().min(1).max(64).optional(),
            status: z.enum(MAIL_STATUSES).optional(),
            ...pageQuery,
          })
          .strict(),
        response: { 200: pageOf(mailSchema), ...errorResponses },
      },
    },
    async (req) => listMail(deps, req.query),
  );

  app.get(
    '/mail/:id',
    {
      schema: {
        tags: ['mail'],
        summary: 'One mail of the outbox with its body',
        params: mailId,
        querystring: appOnly,
        response: { 200: mailSchema.extend({ body: z.string() }), ...errorResponses },
      },
    },
    async (req) => getMail(deps, req.query.app, req.params.id),
  );

  app.post(
    '/mail/:id/retry',
    {
      schema: {
        tags: ['mail'],
        summary: 'Make a failed (or waiting) mail due now; the next delivery run sends it',
        params: mailId,
        querystring: appOnly,
        body: z.object({ comment: text(2000).optional().describe('Why, for the audit trail') }).strict(),
        response: { 200: mailSchema, ...errorResponses },
      },
    },
    async (req) => retryMail(deps, actorOf(req), req.query.app, req.params.id, req.body.comment),
  );
};
