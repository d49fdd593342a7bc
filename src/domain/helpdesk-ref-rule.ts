/**
 * The rule for help-desk references (IR-…, DR-…, a ticket number), without
 * zod: the CLI checks `--ref` with it before anything is sent and must start
 * quickly, so it does not load a schema library for one string. The API's
 * schema (`helpdesk-ref.ts`) is built from the same limits and messages.
 */

/** The longest help-desk reference (IR-…, DR-…, a ticket number) relman keeps. */
export const MAX_HELPDESK_REF = 100;

export const HELPDESK_REF_MESSAGES = {
  empty: 'a help-desk reference must not be empty',
  tooLong: `a help-desk reference has at most ${MAX_HELPDESK_REF} characters`,
  control: 'a help-desk reference has no control characters (tabs, line breaks)',
} as const;

// eslint-disable-next-line no-control-regex
export const HELPDESK_REF_PATTERN = /^[^\u0000-\u001f\u007f]*$/;

/**
 * What is wrong with `ref` as a help-desk reference, or undefined when it is
 * fine; `ref` is trimmed first. The checks run in the schema's order, so the
 * message is the schema's first issue.
 */
export function helpdeskRefProblem(ref: string): string | undefined {
  const r = ref.trim();
  if (r.length < 1) return HELPDESK_REF_MESSAGES.empty;
  if (r.length > MAX_HELPDESK_REF) return HELPDESK_REF_MESSAGES.tooLong;
  if (!HELPDESK_REF_PATTERN.test(r)) return HELPDESK_REF_MESSAGES.control;
  return undefined;
}
