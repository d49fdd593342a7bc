import { describe, expect, it } from 'vitest';
import { testAttemptProblems, type TestInput } from '../../src/domain/lifecycle/testing.js';
import { attempt, defaultTemplate, item, recordPackage, release, verifyPackages, withItems } from './lifecycle-fixtures.js';

const t = defaultTemplate();

function input(fields: Partial<TestInput> = {}): TestInput {
  return { itemId: 'item-1', environment: 'acceptance-test', result: 'passed', cause: null, ...fields };
}

function inAt() {
  const s = withItems(release('scheduled', 'in-at'), item(1), item(2, 'DR'));
  verifyPackages(s);
  return s;
}

describe('testAttemptProblems', () => {
  it('accepts a first attempt, passed or failed with a cause', () => {
    const s = inAt();
    expect(testAttemptProblems(t, s, input())).toEqual([]);
    for (const cause of ['fix', 'setup', 'configuration', 'data']) {
      expect(testAttemptProblems(t, s, input({ result: 'failed', cause }))).toEqual([]);
    }
  });

  it('refuses a retest after a failure of the fix itself until a newer package version exists', () => {
    const s = inAt();
    attempt(s, 'item-1', 'acceptance-test', 'failed', 'fix');
    const blocked = [
      {
        path: 'item',
        message:
          'IR-1 failed because of the fix itself; it goes back to the developer and can be retested once a new package version is recorded',
      },
    ];
    expect(testAttemptProblems(t, s, input())).toEqual(blocked);
    expect(testAttemptProblems(t, s, input({ result: 'failed', cause: 'data' }))).toEqual(blocked);
    // Other items and other environments are not affected.
    expect(testAttemptProblems(t, s, input({ itemId: 'item-2' }))).toEqual([]);
    expect(testAttemptProblems(t, s, input({ environment: 'development' }))).toEqual([]);
    recordPackage(s, 'web');
    expect(testAttemptProblems(t, s, input())).toEqual([]);
  });

  it('compares with the package versions at the time of the failure, on any channel', () => {
    const s = withItems(release('scheduled', 'in-at', ['database']), item(1));
    attempt(s, 'item-1', 'acceptance-test', 'failed', 'fix');
    // The failure happened before any package: blocked until one exists, then the first package is newer.
    expect(testAttemptProblems(t, s, input())).toHaveLength(1);
    recordPackage(s, 'database');
    expect(testAttemptProblems(t, s, input())).toEqual([]);
    attempt(s, 'item-1', 'acceptance-test', 'failed', 'fix');
    expect(testAttemptProblems(t, s, input())).toHaveLength(1);
    // A package of a channel the release does not carry is no new version of the fix.
    recordPackage(s, 'web');
    expect(testAttemptProblems(t, s, input())).toHaveLength(1);
    recordPackage(s, 'database');
    expect(testAttemptProblems(t, s, input())).toEqual([]);
  });

  it('allows a retest after a setup, configuration or data failure', () => {
    for (const cause of ['setup', 'configuration', 'data']) {
      const s = inAt();
      attempt(s, 'item-1', 'acceptance-test', 'failed', cause);
      expect(testAttemptProblems(t, s, input())).toEqual([]);
    }
  });

  it('only looks at the latest attempt', () => {
    const s = inAt();
    attempt(s, 'item-1', 'acceptance-test', 'failed', 'fix');
    recordPackage(s, 'database');
    attempt(s, 'item-1', 'acceptance-test', 'failed', 'setup');
    expect(testAttemptProblems(t, s, input())).toEqual([]);
    attempt(s, 'item-1', 'acceptance-test', 'failed', 'fix');
    expect(testAttemptProblems(t, s, input())).toHaveLength(1);
  });

  it('applies the cause rules', () => {
    const s = inAt();
    expect(testAttemptProblems(t, s, input({ result: 'failed', cause: null }))).toEqual([
      { path: 'cause', message: 'a failed attempt needs a cause: fix, setup, configuration, data' },
    ]);
    expect(testAttemptProblems(t, s, input({ result: 'failed', cause: 'gremlins' }))).toEqual([
      { path: 'cause', message: 'unknown cause "gremlins"; one of: fix, setup, configuration, data' },
    ]);
    expect(testAttemptProblems(t, s, input({ cause: 'fix' }))).toEqual([
      { path: 'cause', message: 'a passed attempt has no failure cause' },
    ]);
  });

  it('lists every problem at once', () => {
    const s = inAt();
    expect(testAttemptProblems(t, s, { itemId: 'item-9', environment: 'staging', result: 'failed', cause: null })).toEqual([
      { path: 'item', message: 'the item is not in release CFIS001' },
      { path: 'environment', message: 'unknown environment "staging"; one of: development, acceptance-test, production' },
      { path: 'cause', message: 'a failed attempt needs a cause: fix, setup, configuration, data' },
    ]);
    attempt(s, 'item-1', 'acceptance-test', 'failed', 'fix');
    expect(testAttemptProblems(t, s, input({ cause: 'setup' })).map((p) => p.path)).toEqual(['cause', 'item']);
  });
});
