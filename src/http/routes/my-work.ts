import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { myWork } from '../../services/my-work.js';
import type { RouteOptions } from '../app.js';
import { actorOf } from '../auth.js';
import { appQuery, errorResponses, intParam } from '../schemas/common.js';
import { cycleSchema } from './calendar.js';
import { checklistTaskSchema } from './checklist.js';

const releaseSummarySchema = z.object({
  name: z.string(),
  type: z.string(),
  state: z.string(),
  title: z.string(),
  plannedDate: z.string(),
  channels: z.array(z.string()),
  createdBy: z.string(),
  updatedAt: z.string(),
  version: z.number().int(),
});

const myWorkSchema = z.object({
  inFlight: z
    .array(z.object({ state: z.string(), stateName: z.string(), releases: z.array(releaseSummarySchema) }))
    .describe('The releases still going on, by state in the template’s order'),
  approvalsWaiting: z
    .array(
      z.object({
        release: z.string(),
        step: z.string(),
        stepName: z.string(),
        roles: z.array(z.string()),
        requestedBy: z.string().nullable(),
        requestedAt: z.string().nullable(),
      }),
    )
    .describe(
      'Approval steps you could give now: a role you hold may, it is not satisfied, you have not approved it and did not ask for it; asked for, or guarding a transition out of the current state',
    ),
  deploymentSteps: z
    .array(
      z.object({
        release: z.string(),
        run: z.number().int(),
        environment: z.string(),
        step: z.string(),
        name: z.string(),
        since: z.string().nullable(),
        escalationLevel: z.number().int(),
      }),
    )
    .describe('Manual deployment steps waiting for a role you hold, oldest first'),
  tasks: z.array(checklistTaskSchema).describe('Open checklist tasks of roles you hold, overdue first, then by due date'),
  nextCycles: z.array(cycleSchema).describe('The next planned change cycles from today, with the releases booked into them'),
  recentChanges: z
    .array(
      z.object({
        seq: z.number().int().describe('The audit event’s sequence number'),
        at: z.string(),
        actor: z.string(),
        action: z.string(),
        release: z.string(),
        summary: z.string(),
      }),
    )
    .describe('The latest changes to releases you created, newest first'),
});

/** One person's start page. */
export const myWorkRoutes: FastifyPluginAsyncZod<RouteOptions> = async (app, { deps }) => {
  app.get(
    '/me/work',
    {
      schema: {
        tags: ['me'],
        summary: 'Your work: releases in flight, approvals waiting for you, your checklist tasks, the next change cycles, recent changes',
        querystring: z
          .object({ app: appQuery, cycles: intParam(1, 20).optional().describe('How many upcoming change cycles (default 3)') })
          .strict(),
        response: { 200: myWorkSchema, ...errorResponses },
      },
    },
    async (req) => myWork(deps, actorOf(req), req.query),
  );
};
