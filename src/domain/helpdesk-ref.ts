import { z } from 'zod';
import { HELPDESK_REF_MESSAGES, HELPDESK_REF_PATTERN, MAX_HELPDESK_REF } from './helpdesk-ref-rule.js';

export { helpdeskRefProblem, MAX_HELPDESK_REF } from './helpdesk-ref-rule.js';

/**
 * A help-desk reference as the API takes it, for work items and reports alike:
 * surrounding blanks dropped, then 1 to 100 characters without control
 * characters. The CLI checks `--ref` with the same rule (`helpdesk-ref-rule.ts`,
 * no zod) before it sends.
 */
export const helpdeskRefSchema = z
  .string()
  .trim()
  .min(1, HELPDESK_REF_MESSAGES.empty)
  .max(MAX_HELPDESK_REF, HELPDESK_REF_MESSAGES.tooLong)
  .regex(HELPDESK_REF_PATTERN, HELPDESK_REF_MESSAGES.control);
