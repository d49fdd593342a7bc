import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  checkNaming,
  compileNaming,
  namingParameters,
  NamingError,
  SequenceExhaustedError,
  type NamingSpec,
} from '../../src/domain/naming.js';

const DEFAULT_SPEC: NamingSpec = {
  pattern: 'zFvvnnn',
  tokens: {
    z: { parameter: 'system', description: 'System letter' },
    v: { parameter: 'contractor', description: 'Contractor initials' },
    n: { sequence: true },
  },
  defaults: { system: 'C', contractor: 'IS' },
};

function paths(spec: NamingSpec, params?: Record<string, string>): string[] {
  return checkNaming(spec, params).map((p) => p.path);
}

describe('default pattern zFvvnnn', () => {
  const naming = compileNaming(DEFAULT_SPEC);

  it('formats the first and last names of the sequence', () => {
    expect(naming.format(1)).toBe('CFIS001');
    expect(naming.format(2)).toBe('CFIS002');
    expect(naming.format(999)).toBe('CFIS999');
    expect(naming.maxSequence).toBe(999);
    expect(naming.prefixExample).toBe('CFIS');
  });

  it('reports exhaustion as a SequenceExhaustedError', () => {
    expect(() => naming.format(1000)).toThrow(SequenceExhaustedError);
    try {
      naming.format(1000);
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(SequenceExhaustedError);
      expect((error as SequenceExhaustedError).maxSequence).toBe(999);
    }
  });

  it('rejects numbers below 1 and non-integers with RangeError', () => {
    for (const bad of [0, -1, 1.5, Number.NaN, Number.POSITIVE_INFINITY]) {
      expect(() => naming.format(bad)).toThrow(RangeError);
    }
  });

  it('parses names back and refuses foreign ones', () => {
    expect(naming.parse('CFIS001')).toBe(1);
    expect(naming.parse('CFIS999')).toBe(999);
    for (const bad of ['CFIS000', 'CFIS01', 'CFIS0001', 'XFIS001', 'CFXX001', 'cfis001', 'CFIS00a', '']) {
      expect(naming.parse(bad)).toBeNull();
    }
  });

  it('uses explicit parameters instead of the defaults', () => {
    const other = compileNaming(DEFAULT_SPEC, { system: 'M', contractor: 'AB' });
    expect(other.format(7)).toBe('MFAB007');
    expect(other.parse('CFIS007')).toBeNull();
  });

  it('lists the parameters in pattern order', () => {
    expect(namingParameters(DEFAULT_SPEC)).toEqual(['system', 'contractor']);
  });
});

describe('checkNaming problems', () => {
  it('accepts the default spec', () => {
    expect(checkNaming(DEFAULT_SPEC)).toEqual([]);
  });

  it('reports a parameter value of the wrong width or alphabet', () => {
    expect(paths(DEFAULT_SPEC, { system: 'CC', contractor: 'IS' })).toEqual(['params.system']);
    expect(paths(DEFAULT_SPEC, { system: 'C', contractor: 'is' })).toEqual(['params.contractor']);
    expect(paths({ ...DEFAULT_SPEC, defaults: { system: 'C', contractor: 'I-' } })).toEqual(['naming.defaults.contractor']);
  });

  it('reports missing and unknown parameters', () => {
    expect(paths(DEFAULT_SPEC, { system: 'C' })).toEqual(['params.contractor']);
    expect(paths(DEFAULT_SPEC, { system: 'C', contractor: 'IS', year: '24' })).toEqual(['params.year']);
    const { defaults: _unused, ...noDefaults } = DEFAULT_SPEC;
    expect(paths(noDefaults)).toEqual(['naming.defaults.system', 'naming.defaults.contractor']);
  });

  it('reports pattern structure problems', () => {
    const tokens = DEFAULT_SPEC.tokens;
    const defaults = DEFAULT_SPEC.defaults;
    const cases: [string, NamingSpec][] = [
      ['no sequence', { pattern: 'zFvv', tokens: { z: tokens['z']!, v: tokens['v']! }, defaults }],
      ['split run', { pattern: 'zFvvnnFn', tokens, defaults }],
      ['empty', { pattern: '', tokens: {}, defaults: {} }],
      ['too long', { pattern: `zFvv${'n'.repeat(29)}`, tokens, defaults }],
      ['bad literal', { pattern: 'z.vvnnn', tokens, defaults }],
      ['too wide', { pattern: 'n'.repeat(16), tokens: { n: { sequence: true } } }],
      ['two sequences', { pattern: 'nnmm', tokens: { n: { sequence: true }, m: { sequence: true } } }],
    ];
    for (const [label, spec] of cases) {
      expect(
        checkNaming(spec).map((p) => p.path),
        label,
      ).toContain('naming.pattern');
      expect(() => compileNaming(spec), label).toThrow(NamingError);
    }
  });

  it('reports token problems', () => {
    const unused = { ...DEFAULT_SPEC, tokens: { ...DEFAULT_SPEC.tokens, Z: { parameter: 'zone' } } };
    expect(paths(unused)).toEqual(['naming.tokens.Z']);
    const shared = {
      pattern: 'aabbnn',
      tokens: { a: { parameter: 'x' }, b: { parameter: 'x' }, n: { sequence: true as const } },
      defaults: { x: 'AB' },
    };
    expect(paths(shared)).toContain('naming.tokens.b');
    const long = { ...DEFAULT_SPEC, tokens: { ...DEFAULT_SPEC.tokens, ab: { parameter: 'q' } } };
    expect(paths(long)).toEqual(['naming.tokens.ab']);
    const badName = { pattern: 'xn', tokens: { x: { parameter: 'Bad' }, n: { sequence: true as const } }, defaults: { Bad: 'A' } };
    expect(paths(badName)).toContain('naming.tokens.x.parameter');
  });

  it('carries the problems on NamingError', () => {
    try {
      compileNaming(DEFAULT_SPEC, { system: 'C' });
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(NamingError);
      expect((error as NamingError).problems.map((p) => p.path)).toEqual(['params.contractor']);
    }
  });

  it('never throws for malformed specs that bypassed the type checker', () => {
    const junk: unknown[] = [null, 1, 'x', {}, { pattern: 5 }, { pattern: 'n', tokens: null }, { pattern: 'n', tokens: { n: null } }];
    for (const spec of junk) {
      expect(checkNaming(spec as NamingSpec).length).toBeGreaterThan(0);
    }
  });
});

// ------------------------------------------------------------------ properties

const TOKEN_CHARS = 'abcdefghijklmnopqrstuvwxyz'.split('');
const LITERAL_CHARS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-'.split('');
const VALUE_CHARS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789'.split('');

type Generated = { spec: NamingSpec; params: Record<string, string>; width: number };

/** Valid specs: literal runs, parameter runs and exactly one sequence run, at most 32 chars. */
const validSpec = (maxWidth: number): fc.Arbitrary<Generated> =>
  fc
    .record({
      chars: fc.shuffledSubarray(TOKEN_CHARS, { minLength: 4, maxLength: 4 }),
      widths: fc.array(fc.integer({ min: 1, max: 4 }), { maxLength: 3 }),
      literals: fc.array(fc.string({ unit: fc.constantFrom(...LITERAL_CHARS), maxLength: 3 }), {
        minLength: 5,
        maxLength: 5,
      }),
      width: fc.integer({ min: 1, max: maxWidth }),
      position: fc.nat(),
      values: fc.array(fc.string({ unit: fc.constantFrom(...VALUE_CHARS), minLength: 4, maxLength: 4 }), {
        minLength: 3,
        maxLength: 3,
      }),
    })
    .map(({ chars, widths, literals, width, position, values }) => {
      const [seqChar, ...paramChars] = chars as [string, ...string[]];
      const runs: string[] = widths.map((w, i) => (paramChars[i] as string).repeat(w));
      runs.splice(position % (runs.length + 1), 0, seqChar.repeat(width));
      const pattern = runs.map((run, i) => (literals[i] ?? '') + run).join('') + (literals[4] ?? '');
      const tokens: NamingSpec['tokens'] = { [seqChar]: { sequence: true } };
      const params: Record<string, string> = {};
      widths.forEach((w, i) => {
        tokens[paramChars[i] as string] = { parameter: `p${i}` };
        params[`p${i}`] = (values[i] as string).slice(0, w);
      });
      return { spec: { pattern, tokens }, params, width };
    })
    .filter(({ spec }) => spec.pattern.length <= 32);

describe('naming properties', () => {
  it('generated specs are valid and every name has the same length', () => {
    fc.assert(
      fc.property(validSpec(6), fc.integer({ min: 1, max: 999_999 }), ({ spec, params, width }, n) => {
        expect(checkNaming(spec, params)).toEqual([]);
        const naming = compileNaming(spec, params);
        expect(naming.maxSequence).toBe(10 ** width - 1);
        const k = ((n - 1) % naming.maxSequence) + 1;
        expect(naming.format(k)).toHaveLength(naming.format(1).length);
        expect(naming.format(k)).toHaveLength(spec.pattern.length);
        expect(() => naming.format(naming.maxSequence + 1)).toThrow(SequenceExhaustedError);
      }),
    );
  });

  it('is injective and order-preserving over the whole range of small sequences', () => {
    fc.assert(
      fc.property(validSpec(2), ({ spec, params }) => {
        const naming = compileNaming(spec, params);
        const names = Array.from({ length: naming.maxSequence }, (_, i) => naming.format(i + 1));
        expect(new Set(names).size).toBe(names.length);
        for (let i = 1; i < names.length; i += 1) {
          expect((names[i - 1] as string) < (names[i] as string)).toBe(true);
        }
        names.forEach((name, i) => expect(naming.parse(name)).toBe(i + 1));
      }),
      { numRuns: 50 },
    );
  });

  it('preserves order and round-trips for sampled pairs in wide sequences', () => {
    fc.assert(
      fc.property(validSpec(15), fc.nat(), fc.nat(), ({ spec, params }, x, y) => {
        const naming = compileNaming(spec, params);
        const a = (x % naming.maxSequence) + 1;
        const b = (y % naming.maxSequence) + 1;
        expect(naming.parse(naming.format(a))).toBe(a);
        expect(naming.format(a) === naming.format(b)).toBe(a === b);
        expect(naming.format(a) < naming.format(b)).toBe(a < b);
      }),
    );
  });

  it('parse returns null or a number that formats back to the same name', () => {
    fc.assert(
      fc.property(validSpec(3), fc.string({ maxLength: 40 }), ({ spec, params }, text) => {
        const naming = compileNaming(spec, params);
        const parsed = naming.parse(text);
        if (parsed !== null) expect(naming.format(parsed)).toBe(text);
      }),
    );
  });

  it('wrong parameter values always give problems', () => {
    fc.assert(
      fc.property(validSpec(3), fc.string({ maxLength: 6 }), fc.nat(), ({ spec, params }, bad, pick) => {
        const names = Object.keys(params);
        fc.pre(names.length > 0);
        const name = names[pick % names.length] as string;
        const width = (params[name] as string).length;
        fc.pre(bad.length !== width || !/^[A-Z0-9]+$/.test(bad));
        const problems = checkNaming(spec, { ...params, [name]: bad });
        expect(problems.map((p) => p.path)).toContain(`params.${name}`);
        expect(() => compileNaming(spec, { ...params, [name]: bad })).toThrow(NamingError);
      }),
    );
  });

  it('checkNaming never throws and agrees with compileNaming for arbitrary input', () => {
    const token = fc.oneof(fc.record({ parameter: fc.string({ maxLength: 6 }) }), fc.constant({ sequence: true as const }));
    fc.assert(
      fc.property(
        fc.string({ maxLength: 40 }),
        fc.dictionary(fc.string({ maxLength: 2 }), token, { maxKeys: 4 }),
        fc.option(fc.dictionary(fc.string({ maxLength: 6 }), fc.string({ maxLength: 4 }))),
        (pattern, tokens, params) => {
          const spec: NamingSpec = { pattern, tokens };
          const problems = checkNaming(spec, params ?? undefined);
          if (problems.length > 0) {
            expect(() => compileNaming(spec, params ?? undefined)).toThrow(NamingError);
          } else {
            expect(compileNaming(spec, params ?? undefined).format(1)).toHaveLength(pattern.length);
          }
        },
      ),
    );
  });
});
