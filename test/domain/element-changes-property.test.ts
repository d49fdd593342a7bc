import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { elementChanges, type MemberChange } from '../../src/domain/element-changes.js';

type Member = { kind: string; name: string; lines: string[] };

const KINDS = ['Method', 'Property', 'Parameter', 'Index', 'Query', 'XData', 'Storage', 'Trigger'] as const;
const codeLine = fc.oneof(
  fc.constant(''),
  fc.string({ maxLength: 20 }).map((s) => `\t${s.replace(/\n/g, ' ')}`),
  fc.string({ maxLength: 20 }).map((s) => `    Key: ${s.replace(/\n/g, ' ')}`),
);
const member: fc.Arbitrary<Member> = fc.record({
  kind: fc.constantFrom(...KINDS),
  // Quoted member names may hold spaces.
  name: fc.stringMatching(/^[A-Za-z%][A-Za-z0-9 ]{0,8}$/),
  lines: fc.array(codeLine, { maxLength: 5 }),
});
const members = fc.uniqueArray(member, { selector: (m) => `${m.kind.toLowerCase()} ${m.name}`, maxLength: 8 });

/** The class text as element-text.ts writes it: header at column 0, everything else indented or blank. */
function classText(name: string, ms: Member[]): string {
  const blocks = [`Class ${name}\n    Super: %Persistent`, ...ms.map((m) => [`${m.kind} ${m.name}`, ...m.lines].join('\n'))];
  return blocks.join('\n\n') + '\n';
}

const key = (c: { kind: string; name: string }) => `${c.kind.toLowerCase()} ${c.name}`;
const flip = (c: MemberChange): MemberChange => ({
  ...c,
  change: c.change === 'added' ? 'removed' : c.change === 'removed' ? 'added' : 'changed',
});
const sorted = (cs: MemberChange[]) => [...cs].sort((a, b) => (key(a) + a.change < key(b) + b.change ? -1 : 1));

describe('elementChanges (property)', () => {
  it('finds nothing between a text and itself, for every type', () => {
    fc.assert(
      fc.property(members, fc.constantFrom('class', 'routine', 'csp', 'global'), (ms, type) => {
        const t = classText('CMS.X', ms);
        expect(elementChanges(type, t, t)).toEqual([]);
      }),
    );
  });

  it('names exactly the members added, removed and changed, by kind and name', () => {
    fc.assert(
      fc.property(members, members, (before, after) => {
        const changes = elementChanges('class', classText('CMS.X', before), classText('CMS.X', after));
        const b = new Map(before.map((m) => [key(m), m]));
        const a = new Map(after.map((m) => [key(m), m]));
        const expected: MemberChange[] = [];
        for (const [k, m] of a) {
          const old = b.get(k);
          if (!old) expected.push({ kind: m.kind.toLowerCase(), name: m.name, change: 'added' });
          else if (old.lines.map((l) => l.trimEnd()).join('\n') !== m.lines.map((l) => l.trimEnd()).join('\n'))
            expected.push({ kind: m.kind.toLowerCase(), name: m.name, change: 'changed' });
        }
        for (const [k, m] of b) if (!a.has(k)) expected.push({ kind: m.kind.toLowerCase(), name: m.name, change: 'removed' });
        expect(sorted(changes)).toEqual(sorted(expected));
        // The class block itself is the same on both sides.
        expect(changes.some((c) => c.kind === 'class')).toBe(false);
      }),
    );
  });

  it('is symmetric: swapping the versions swaps added and removed', () => {
    fc.assert(
      fc.property(members, members, (before, after) => {
        const x = classText('CMS.X', before);
        const y = classText('CMS.X', after);
        expect(sorted(elementChanges('class', y, x))).toEqual(sorted(elementChanges('class', x, y).map(flip)));
      }),
    );
  });

  it('counts every member as added when the older version lacks the element, and removed when the newer does', () => {
    fc.assert(
      fc.property(members, (ms) => {
        const t = classText('CMS.X', ms);
        const added = elementChanges('class', null, t);
        expect(added.map(key)).toEqual(['class CMS.X', ...ms.map(key)]);
        expect(added.every((c) => c.change === 'added')).toBe(true);
        expect(elementChanges('class', t, null).every((c) => c.change === 'removed')).toBe(true);
        expect(elementChanges('class', null, null)).toEqual([]);
      }),
    );
  });

  it('reports a routine’s changed labels, and a whole body for other types', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.stringMatching(/^[A-Za-z][A-Za-z0-9]{0,6}$/), { minLength: 1, maxLength: 6 }),
        fc.nat(),
        (labels, pick) => {
          const body = (changed: string | null) => labels.map((l) => `${l}() ; entry\n quit${l === changed ? ' 1' : ''}\n`).join('');
          const target = labels[pick % labels.length] ?? '';
          expect(elementChanges('routine', body(null), body(target))).toEqual([{ kind: 'label', name: target, change: 'changed' }]);
          expect(elementChanges('csp', body(null), body(target))).toEqual([{ kind: 'body', name: '', change: 'changed' }]);
        },
      ),
    );
  });
});
