import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { helpdeskRefProblem as ruleProblem } from '../../src/domain/helpdesk-ref-rule.js';
import { helpdeskRefProblem, helpdeskRefSchema, MAX_HELPDESK_REF } from '../../src/domain/helpdesk-ref.js';

/** The first issue of the API's schema: what a refused request names. */
function schemaProblem(ref: string): string | undefined {
  const r = helpdeskRefSchema.safeParse(ref);
  return r.success ? undefined : (r.error.issues[0]?.message ?? 'not a help-desk reference');
}

/** References around every edge of the rule: blanks, control characters, lengths near the limit. */
const ref = fc.oneof(
  fc.string({ maxLength: 20 }),
  fc.string({ unit: fc.constantFrom('a', ' ', '\t', '\n', '\u0000', '\u001f', '\u007f', '\u0080', 'é', '-'), maxLength: 12 }),
  fc
    .tuple(
      fc.constantFrom('', ' ', '\t'),
      fc.integer({ min: MAX_HELPDESK_REF - 2, max: MAX_HELPDESK_REF + 2 }),
      fc.constantFrom('', ' ', '\n', '\u0001'),
    )
    .map(([pre, n, post]) => `${pre}${'x'.repeat(n)}${post}`),
);

describe('help-desk reference rule', () => {
  it('the CLI’s check (no zod) says what the API’s schema says', () => {
    fc.assert(
      fc.property(ref, (r) => {
        expect(ruleProblem(r)).toBe(schemaProblem(r));
        expect(helpdeskRefProblem(r)).toBe(schemaProblem(r));
      }),
      { numRuns: 2000 },
    );
  });

  it('names each kind of problem', () => {
    expect(ruleProblem('  ')).toBe('a help-desk reference must not be empty');
    expect(ruleProblem('x'.repeat(MAX_HELPDESK_REF + 1))).toBe(`a help-desk reference has at most ${MAX_HELPDESK_REF} characters`);
    expect(ruleProblem('HD-1\tHD-2')).toBe('a help-desk reference has no control characters (tabs, line breaks)');
    expect(ruleProblem(` ${'x'.repeat(MAX_HELPDESK_REF)} `)).toBeUndefined();
    expect(ruleProblem('HD-4711')).toBeUndefined();
  });
});
