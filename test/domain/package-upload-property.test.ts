import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ConflictError, ValidationError } from '../../src/domain/errors.js';
import { isFileName, kindFromName, uploadPrecheck, type UploadTarget } from '../../src/domain/package-upload.js';
import type { ProcessTemplate } from '../../src/domain/template/schema.js';

type Rules = Pick<ProcessTemplate, 'channels' | 'states'>;
const KINDS = ['cache-xml', 'zip', 'war'] as const;

const channelId = fc.constantFrom('database', 'web', 'docs', 'batch');
const template: fc.Arbitrary<Rules> = fc
  .record({
    channels: fc.uniqueArray(
      fc.record({
        id: channelId,
        name: fc.constantFrom('Database', 'Web', 'Docs', 'Batch'),
        packageKinds: fc.option(fc.subarray([...KINDS], { minLength: 1 }), { nil: undefined }),
      }),
      { selector: (c) => c.id, maxLength: 4 },
    ),
    states: fc.uniqueArray(
      fc.record({
        id: fc.constantFrom('draft', 'packaging', 'frozen', 'done'),
        name: fc.string({ maxLength: 8 }),
        terminal: fc.boolean(),
        locksPackages: fc.boolean(),
      }),
      { selector: (s) => s.id, maxLength: 4 },
    ),
  })
  .map((t) => t as unknown as Rules);
const release: fc.Arbitrary<UploadTarget> = fc.record({
  name: fc.constantFrom('CFIS001', 'CFIS002'),
  state: fc.constantFrom('draft', 'packaging', 'frozen', 'done', 'gone'),
  channels: fc.subarray(['database', 'web', 'docs', 'batch']),
});
const fileName = fc.oneof(
  fc
    .tuple(fc.stringMatching(/^[A-Za-z0-9 ._-]{0,12}$/), fc.constantFrom('.xml', '.XML', '.zip', '.war', '.Zip', '.txt', '', '.xml.gz'))
    .map(([b, e]) => b + e),
  fc.constantFrom('.', '..', 'a/b.xml', 'a\\b.zip', 'a\u0001.xml', `${'x'.repeat(252)}.xml`, `${'x'.repeat(251)}.xml`),
  fc.string({ maxLength: 20 }),
);

/** Runs the pre-check and says how it ended. */
function judge(t: Rules, r: UploadTarget, channel: string, name: string): { kind: string } | { problems: string[] } | { conflict: string } {
  try {
    return { kind: uploadPrecheck(t, r, channel, name) };
  } catch (err) {
    if (err instanceof ValidationError) return { problems: err.problems.map((p) => p.path) };
    if (err instanceof ConflictError) return { conflict: err.code };
    throw err;
  }
}

describe('the upload pre-check', () => {
  it('accepts exactly a plain file name of a kind the carried channel takes, in a state that is neither closed nor frozen', () => {
    fc.assert(
      fc.property(template, release, channelId, fileName, (t, r, channel, name) => {
        const def = t.channels.find((c) => c.id === channel);
        const kind = kindFromName(name);
        const requestOk =
          def !== undefined &&
          r.channels.includes(channel) &&
          isFileName(name) &&
          kind !== null &&
          (def.packageKinds?.includes(kind) ?? true);
        const state = t.states.find((s) => s.id === r.state);
        const verdict = judge(t, r, channel, name);
        if (!requestOk) {
          // Every problem of the request is named, whatever the release's state.
          expect(verdict).toHaveProperty('problems');
          const paths = (verdict as { problems: string[] }).problems;
          expect(paths.includes('channel')).toBe(def === undefined || !r.channels.includes(channel));
          expect(paths.includes('fileName')).toBe(!isFileName(name) || kind === null || !(def?.packageKinds?.includes(kind) ?? true));
        } else if (state?.terminal) {
          expect(verdict).toEqual({ conflict: 'release-closed' });
        } else if (state?.locksPackages) {
          expect(verdict).toEqual({ conflict: 'packages-locked' });
        } else {
          expect(verdict).toEqual({ kind });
        }
      }),
      { numRuns: 500 },
    );
  });

  it('takes the kind from the extension alone, whatever its case', () => {
    fc.assert(
      fc.property(fc.stringMatching(/^[A-Za-z0-9._-]{1,12}$/), fc.constantFrom(...(['xml', 'zip', 'war'] as const)), (base, ext) => {
        const mixed = [...ext].map((c, i) => (i % 2 ? c.toUpperCase() : c)).join('');
        expect(kindFromName(`${base}.${mixed}`)).toBe({ xml: 'cache-xml', zip: 'zip', war: 'war' }[ext]);
      }),
    );
    expect(kindFromName('release.xml.gz')).toBeNull();
    expect(kindFromName('xml')).toBeNull();
  });

  it('refuses names with a path, a control character or over 255 characters', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 300 }), (n) => {
        const plain =
          n.length >= 1 &&
          n.length <= 255 &&
          !n.includes('/') &&
          !n.includes('\\') &&
          ![...n].some((c) => c < ' ') &&
          n !== '.' &&
          n !== '..';
        expect(isFileName(n)).toBe(plain);
      }),
    );
  });
});
