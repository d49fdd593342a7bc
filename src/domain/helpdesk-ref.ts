import { z } from 'zod';

/** The longest help-desk reference (IR-…, DR-…, a ticket number) relman keeps. */
export const MAX_HELPDESK_REF = 100;

/**
 * A help-desk reference as the API takes it, for work items and reports alike:
 * surrounding blanks dropped, then 1 to 100 characters without control
 * characters. The CLI checks `--ref` with the same rule before it sends.
 */
export const helpdeskRefSchema = z
  .string()
  .trim()
  .min(1, 'a help-desk reference must not be empty')
  .max(MAX_HELPDESK_REF, `a help-desk reference has at most ${MAX_HELPDESK_REF} characters`)
  // eslint-disable-next-line no-control-regex
  .regex(/^[^\u0000-\u001f\u007f]*$/, 'a help-desk reference has no control characters (tabs, line breaks)');

/** What is wrong with `ref` as a help-desk reference, or undefined when it is fine; `ref` is trimmed first. */
export function helpdeskRefProblem(ref: string): string | undefined {
  const r = helpdeskRefSchema.safeParse(ref);
  return r.success ? undefined : (r.error.issues[0]?.message ?? 'not a help-desk reference');
}
