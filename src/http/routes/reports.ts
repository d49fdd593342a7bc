import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { deliveryReport, triageReport } from '../../services/reports/reports.js';
import type { RouteOptions } from '../app.js';
import { actorOf } from '../auth.js';
import { appQuery, calendarDate, errorResponses, intParam } from '../schemas/common.js';

const periodQuery = {
  app: appQuery,
  from: calendarDate.optional().describe('First day of the period (default: 89 days before `to`)'),
  to: calendarDate.optional().describe('Last day of the period (default: today)'),
};

const periodSchema = z.object({
  from: z.string(),
  to: z.string(),
  timeZone: z.string().describe('The application template’s time zone, in which dates are counted'),
});

const triageRowSchema = {
  attempts: z.number().int(),
  failures: z.number().int(),
  byCause: z.record(z.string(), z.number().int()).describe('Failures per failure cause of the template, zero included'),
  retested: z.number().int().describe('Failed attempts followed by another attempt of the same item in the same environment'),
  awaitingRetest: z.number().int().describe('Failed attempts with no later attempt yet'),
  retestsNeeded: z.number().int().describe('retested + awaitingRetest'),
};

const triageSchema = z.object({
  app: z.string(),
  period: periodSchema,
  causes: z.array(z.string()).describe('The failure causes, in the template’s order (then `unspecified` if any failure has none)'),
  byRelease: z.array(z.object({ release: z.string(), cycle: z.string().nullable(), ...triageRowSchema })),
  byCycle: z.array(
    z.object({
      cycle: z.string().nullable().describe('The change cycle’s date; null for releases not booked'),
      releases: z.array(z.string()),
      ...triageRowSchema,
    }),
  ),
  total: z.object(triageRowSchema),
});

const names = z.array(z.string()).describe('The releases behind the figure');

const deliverySchema = z.object({
  app: z.string(),
  period: periodSchema,
  deployed: z.array(z.object({ release: z.string(), productionAt: z.string() })).describe('Releases that reached production in the period'),
  deploymentFrequency: z.object({
    count: z.number().int(),
    perWeek: z.array(z.object({ week: z.string().describe('The Monday of the week'), releases: names })),
    perMonth: z.array(z.object({ month: z.string(), releases: names })),
  }),
  leadTime: z.object({
    medianHours: z.number().nullable(),
    p90Hours: z.number().nullable(),
    items: z.array(z.object({ item: z.string(), release: z.string(), hours: z.number() })),
    releases: names,
  }),
  changeFailure: z.object({
    rate: z.number().nullable().describe('Failed releases over releases deployed; null when none was deployed'),
    deployed: z.number().int(),
    failures: z.array(
      z.object({
        release: z.string(),
        productionAt: z.string(),
        how: z.enum(['rollback', 'emergency']),
        restoredBy: z.string().nullable(),
        restoredAt: z.string(),
        hoursToRestore: z.number(),
      }),
    ),
    releases: names,
    windowDays: z.number().int(),
  }),
  timeToRestore: z.object({ medianHours: z.number().nullable(), releases: names }),
});

/** Figures computed from relman's own records. */
export const reportRoutes: FastifyPluginAsyncZod<RouteOptions> = async (app, { deps }) => {
  app.get(
    '/reports/triage',
    {
      schema: {
        tags: ['reports'],
        summary: 'Acceptance-test triage: failures by cause and retests needed, per release and per change cycle',
        querystring: z.object(periodQuery).strict(),
        response: { 200: triageSchema, ...errorResponses },
      },
    },
    async (req) => triageReport(deps, actorOf(req), req.query),
  );
  app.get(
    '/reports/delivery',
    {
      schema: {
        tags: ['reports'],
        summary: 'Delivery figures: deployment frequency, lead time, change failure rate and time to restore',
        querystring: z
          .object({
            ...periodQuery,
            windowDays: intParam(0, 365)
              .optional()
              .describe('An emergency release this many days after a release, with one of its elements, marks it as failed (default 7)'),
          })
          .strict(),
        response: { 200: deliverySchema, ...errorResponses },
      },
    },
    async (req) => deliveryReport(deps, actorOf(req), req.query),
  );
};
