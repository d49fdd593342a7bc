import { z } from 'zod';
import { isCalendarDate } from '../../domain/dates.js';

export const calendarDate = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, 'expected a date as YYYY-MM-DD')
  .refine(isCalendarDate, 'not a calendar date');

export const identifier = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[A-Za-z0-9][A-Za-z0-9_.-]*$/, 'letters, digits, dot, dash and underscore only');

export const appQuery = identifier.optional().describe('Application key; defaults to the only or the default application');

/** The largest value an integer column holds (PostgreSQL `integer`, 32 bits): no input may go past it. */
export const INT_MAX = 2_147_483_647;

/** A whole number in a JSON body, at most what an integer column holds. */
export const int = (min: number, max: number = INT_MAX) => z.number().int().min(min).max(Math.min(max, INT_MAX));

/** A whole number in a path or query string, at most what an integer column holds. */
export const intParam = (min: number, max: number = INT_MAX) => z.coerce.number().int().min(min).max(Math.min(max, INT_MAX));

export const pageQuery = {
  limit: intParam(1, 500).default(50),
  offset: intParam(0, 1_000_000).default(0),
};

/** A true/false flag in a query string: `?all=true`. */
export const queryFlag = z.enum(['true', 'false']).transform((v) => v === 'true');

/** Comma-separated list in a query string: `state=draft,packaging`. */
export const csvList = z
  .string()
  .max(1000)
  .transform((s) =>
    s
      .split(',')
      .map((x) => x.trim())
      .filter((x) => x !== ''),
  );

export const text = (max: number) => z.string().max(max);

export const problemSchema = z
  .object({
    type: z.string(),
    title: z.string(),
    status: z.number().int(),
    detail: z.string(),
    instance: z.string().optional(),
    requestId: z.string().optional(),
    errors: z.array(z.object({ in: z.string().optional(), path: z.string(), message: z.string() })).optional(),
  })
  .passthrough()
  .describe('RFC 9457 problem details');

/** Standard error responses documented on every route. */
export const errorResponses = {
  400: problemSchema,
  401: problemSchema,
  403: problemSchema,
  404: problemSchema,
  409: problemSchema,
  422: problemSchema,
};

export const versionField = int(1).optional().describe('The version you read; refused with 409 if someone changed it since');

export const pageOf = <T extends z.ZodType>(item: T) =>
  z.object({ items: z.array(item), total: z.number().int(), limit: z.number().int(), offset: z.number().int() });
