/**
 * The decisions of a release update and of a work item's assignment, on
 * random inputs: what a change carries, when an update is refused, and what
 * putting an item into a release (or out of one) is.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { ConflictError, StaleVersionError } from '../../src/domain/errors.js';
import { checkReleaseUpdatable, isTerminalState, releaseChange } from '../../src/domain/release-rules.js';
import { assignmentOf, checkItemMovable, workItemChange, type AssignedRelease } from '../../src/domain/work-item-rules.js';
import { defaultTemplate } from './lifecycle-fixtures.js';

const t = defaultTemplate();
const STATES = t.states.map((s) => s.id);

const maybe = <T>(arb: fc.Arbitrary<T>): fc.Arbitrary<T | undefined> => fc.option(arb, { nil: undefined });
const thrown = (f: () => unknown): unknown => {
  try {
    f();
    return undefined;
  } catch (err) {
    return err;
  }
};

describe('release update rules (property)', () => {
  it('a change carries exactly the fields given, and reschedules exactly when the date, cycle or channels are given', () => {
    fc.assert(
      fc.property(
        fc.record({
          title: maybe(fc.string()),
          description: maybe(fc.string()),
          plannedDate: maybe(fc.string()),
          channels: maybe(fc.array(fc.string())),
          cycle: maybe(fc.string()),
        }),
        (input) => {
          const { fields, rescheduled } = releaseChange(input);
          const given = (['title', 'description', 'plannedDate', 'channels'] as const).filter((k) => input[k] !== undefined);
          expect(Object.keys(fields).sort()).toEqual([...given].sort());
          for (const k of given) expect(fields[k]).toBe(input[k]);
          expect(rescheduled).toBe(input.plannedDate !== undefined || input.cycle !== undefined || input.channels !== undefined);
        },
      ),
    );
  });

  it('refuses a closed release whatever the version, then a stale version, and lets everything else through', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...STATES),
        fc.integer({ min: 1, max: 50 }),
        maybe(fc.integer({ min: 1, max: 50 })),
        (state, version, expected) => {
          const err = thrown(() => checkReleaseUpdatable(t, { name: 'CFIS001', state, version }, expected));
          if (isTerminalState(t, state)) {
            expect(err).toBeInstanceOf(ConflictError);
            expect((err as ConflictError).code).toBe('release-closed');
          } else if (expected !== undefined && expected !== version) {
            expect(err).toBeInstanceOf(StaleVersionError);
            expect(err).toMatchObject({ expected, actual: version });
          } else {
            expect(err).toBeUndefined();
          }
        },
      ),
    );
  });
});

describe('work item rules (property)', () => {
  it('an item change carries exactly the fields given (a null owner included)', () => {
    fc.assert(
      fc.property(
        fc.record({
          helpdeskRef: maybe(fc.string()),
          title: maybe(fc.string()),
          description: maybe(fc.string()),
          owner: maybe(fc.option(fc.string(), { nil: null })),
          priority: maybe(fc.string()),
          elements: maybe(fc.array(fc.record({ type: fc.string(), name: fc.string() }))),
        }),
        (input) => {
          const change = workItemChange(input);
          const given = Object.entries(input).filter(([, v]) => v !== undefined);
          expect(change).toEqual(Object.fromEntries(given));
        },
      ),
    );
  });

  const openOrClosed = fc
    .record({ id: fc.integer({ min: 1, max: 3 }), closed: fc.boolean() })
    .map(({ id, closed }): AssignedRelease => ({ id: `r${id}`, name: `CFIS00${id}`, state: closed ? 'closed' : 'draft', closed }));

  it('attaches to an open release, moves only when asked, detaches only what is in one, never touches a closed one', () => {
    fc.assert(
      fc.property(
        fc.option(openOrClosed, { nil: undefined }),
        fc.option(openOrClosed, { nil: null }),
        fc.boolean(),
        (current, to, move) => {
          let action: string | undefined;
          const err = thrown(() => {
            checkItemMovable(current);
            action = assignmentOf('IR-1', current, to, move);
          });
          const code = (err as ConflictError | undefined)?.code;
          if (current?.closed) expect(code).toBe('release-closed');
          else if (to === null) expect(current ? action : code).toBe(current ? 'item.detach' : 'not-assigned');
          else if (to.closed) expect(code).toBe('release-closed');
          else if (current?.id === to.id || (current && !move)) expect(code).toBe('already-assigned');
          else expect(action).toBe(current ? 'item.move' : 'item.attach');
        },
      ),
    );
  });
});
