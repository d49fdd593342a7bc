import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { cliCrew, json, ok } from '../support/cli-crew.js';
import { dialects } from '../support/databases.js';

const ADMIN_PASSWORD = 'admin-password-for-lifecycle-cli';
const VERIFY = 'Rollout package verified and tested by the development team';
const HINT = ' — record it with `relman step record CFIS001 verify-package --channel database`';
const GO_AHEAD_MISSING = 'Go-ahead to install in acceptance test by the Change Management Coordinator is missing';

describe.each(dialects)('relman lifecycle commands against a running server ($name)', ({ name: dialect }) => {
  const crew = cliCrew({
    dialect,
    name: 'lifecycle-cli',
    adminPassword: ADMIN_PASSWORD,
    users: [
      ['lead1', 'technical-lead'],
      ['cmc1', 'cmc'],
    ],
  });
  const as = crew.as;

  it('packages a release, shows its gates, lists every unmet condition of a refused transition, approves and moves on', async () => {
    const release = json(
      await as('lead1', ['release', 'create', '--type', 'scheduled', '--date', '2026-12-05', '--channels', 'database', '--json']),
    );
    expect(release.name).toBe('CFIS001');
    ok(await as('lead1', ['item', 'create', '--kind', 'IR', '--ref', 'HD-1', '--title', 'Totals are wrong']));
    ok(await as('lead1', ['item', 'attach', 'IR-1', 'CFIS001']));
    expect(ok(await as('lead1', ['release', 'transition', 'CFIS001', 'start-packaging']))).toMatch(
      /^CFIS001: draft → packaging \(start-packaging\) by lead1 at \S+\n$/,
    );

    const refused = await as('lead1', ['release', 'transition', 'CFIS001', 'install-in-at']);
    expect(refused.code).toBe(6);
    expect(refused.stdout).toBe('');
    const listed = refused.stderr.split('\n').filter((l) => l.startsWith('  - '));
    expect(listed).toEqual([
      '  - the release is Packaging; "Install in acceptance test" starts from Package verified',
      `  - ${VERIFY}: no package has been recorded for the Database (Cache/IRIS) channel`,
      `  - ${GO_AHEAD_MISSING}`,
    ]);
    expect(refused.stderr.split('\n')[0]).toBe('relman: Conflict: "Install in acceptance test" is not possible yet:');

    expect(ok(await as('lead1', ['package', 'record', 'CFIS001', '--channel', 'database', '--label', 'CFIS001.xml']))).toBe(
      'recorded database package v1 "CFIS001.xml" on CFIS001\n',
    );
    const gates = json(await as('lead1', ['release', 'gates', 'CFIS001', '--json']));
    expect(gates).toMatchObject({ release: 'CFIS001', state: 'packaging', terminal: false });
    const verify = gates.transitions.find((t: { id: string }) => t.id === 'mark-package-verified');
    expect(verify).toMatchObject({
      allowedForYou: true,
      unmet: [`${VERIFY} is missing for the Database (Cache/IRIS) channel (package v1)${HINT}`],
    });
    const human = ok(await as('lead1', ['release', 'gates', 'CFIS001']));
    expect(human).toMatch(/^CFIS001 is Packaging \(packaging\)$/m);
    expect(human).toMatch(/^mark-package-verified\s+package-verified\s+technical-lead, developer\s+yes\s+no \(1 unmet\)$/m);
    expect(human).toContain('  PASS  The release carries at least one work item [has-items]\n          + 1 work item(s): IR-1\n');
    expect(human).toContain(
      `  FAIL  ${VERIFY} (gate 3) [package-verified]\n          - ${VERIFY} is missing for the Database (Cache/IRIS) channel (package v1)${HINT}\n`,
    );

    expect(ok(await as('lead1', ['step', 'record', 'CFIS001', 'verify-package', '--channel', 'database']))).toBe(
      'recorded verify-package (database, package v1) on CFIS001\n',
    );
    ok(await as('lead1', ['release', 'transition', 'CFIS001', 'mark-package-verified']));
    const evidence = ok(await as('lead1', ['release', 'gates', 'CFIS001']));
    expect(evidence).toMatch(new RegExp(`\\+ ${VERIFY} \\(Database \\(Cache/IRIS\\), package v1\\) — by lead1 at \\S+Z`));

    const forbidden = await as('lead1', ['release', 'approve', 'CFIS001', 'at-go-ahead']);
    expect(forbidden.code).toBe(4);
    expect(ok(await as('cmc1', ['release', 'approve', 'CFIS001', 'at-go-ahead', '--comment', 'go']))).toMatch(
      /^approved at-go-ahead on CFIS001 \(cmc1 at \S+\)\n$/,
    );
    const approvals = json(await as('cmc1', ['release', 'approvals', 'CFIS001', '--json']));
    expect(approvals[0]).toMatchObject({ step: 'at-go-ahead', approvedBy: ['cmc1'], satisfied: true, requester: 'lead1' });
    expect(ok(await as('cmc1', ['release', 'approvals', 'CFIS001']))).toMatch(/^at-go-ahead\s+1\s+cmc1\s+true\s+lead1\s+cmc$/m);

    const version = json(await as('lead1', ['release', 'show', 'CFIS001', '--json'])).version as number;
    const stale = await as('lead1', ['release', 'transition', 'CFIS001', 'install-in-at', '--expect-version', String(version - 1)]);
    expect(stale.code).toBe(6);
    expect(stale.stderr).toContain('was changed by someone else');
    ok(await as('lead1', ['release', 'transition', 'CFIS001', 'install-in-at', '--expect-version', String(version)]));
    const history = ok(await as('lead1', ['release', 'history', 'CFIS001']));
    expect(
      history
        .trimEnd()
        .split('\n')
        .slice(1)
        .map((l) => l.split(/\s+/)[1]),
    ).toEqual(['start-packaging', 'mark-package-verified', 'install-in-at']);
  });

  it('records tests, issues, notices and reports; usage mistakes exit 2, refusals list their problems', async () => {
    const both = await as('lead1', ['test', 'record', 'CFIS001', 'IR-1', '--env', 'acceptance-test', '--passed', '--failed']);
    expect(both.code).toBe(2);
    expect((await as('lead1', ['test', 'record', 'CFIS001', 'IR-1', '--env', 'acceptance-test', '--failed'])).code).toBe(2);
    expect(ok(await as('lead1', ['test', 'record', 'CFIS001', 'IR-1', '--env', 'acceptance-test', '--failed', '--cause', 'setup']))).toBe(
      'IR-1 failed in acceptance-test (setup) on CFIS001\n',
    );
    expect(ok(await as('lead1', ['test', 'record', 'CFIS001', 'IR-1', '--env', 'acceptance-test', '--passed']))).toBe(
      'IR-1 passed in acceptance-test on CFIS001\n',
    );

    expect(ok(await as('lead1', ['issue', 'raise', 'CFIS001', '--category', 'at-issue', '--title', 'Slow page']))).toBe(
      'raised issue #1 on CFIS001: Slow page\n',
    );
    const noReason = await as('lead1', ['issue', 'resolve', 'CFIS001', '1', '--wont-fix']);
    expect(noReason.code).toBe(7);
    expect(noReason.stderr).toContain("  - --reason: closing an issue as won't fix needs a reason");
    expect(ok(await as('lead1', ['issue', 'resolve', 'CFIS001', '1', '--wont-fix', '--reason', 'by design']))).toBe(
      'issue #1 on CFIS001 is wont-fix\n',
    );
    expect((await as('cmc1', ['notify', 'CFIS001', 'cats', '--note', 'e-mail'])).code).toBe(2);
    expect(ok(await as('cmc1', ['notify', 'CFIS001', 'cats', '--by', 'phone', '--note', 'told Jo at the CATS desk']))).toBe(
      'recorded for CFIS001: CATS notified by phone: told Jo at the CATS desk\n',
    );

    const file = path.join(crew.tmp, 'report.json');
    writeFileSync(file, JSON.stringify({ parts: { summary: 'from the file', 'test-results': 'passed' }, helpdeskRefs: [] }));
    const report = json(
      await as('lead1', [
        'report',
        'write',
        'CFIS001',
        'emergency-release-report',
        '--file',
        file,
        '--part',
        'summary=Fixes the totals',
        '--ref',
        'HD-1',
        '--json',
      ]),
    );
    expect(report).toMatchObject({ parts: { summary: 'Fixes the totals', 'test-results': 'passed' }, helpdeskRefs: ['HD-1'] });

    const evidence = json(await as('lead1', ['release', 'evidence', 'CFIS001', '--json']));
    expect(evidence.tests.map((t: { result: string }) => t.result)).toEqual(['failed', 'passed']);
    const human = ok(await as('lead1', ['release', 'evidence', 'CFIS001']));
    expect(human).toMatch(/^database\s+1\s+CFIS001\.xml\s+lead1/m);
    expect(human).toMatch(/^1\s+at-issue\s+wont-fix\s+Slow page\s+lead1\s+by design$/m);

    // The item's own record carries its test history, with the release it was tested in (P4).
    const shown = ok(await as('lead1', ['item', 'show', 'IR-1']));
    const history = shown.slice(shown.indexOf('test history:')).split('\n');
    expect(history[1]).toMatch(/^RELEASE\s+ENVIRONMENT\s+RESULT\s+CAUSE\s+PACKAGES\s+BY\s+AT$/);
    expect(history[2]).toMatch(/^CFIS001\s+acceptance-test\s+failed\s+setup\s+database v1\s+lead1\s+\S+$/);
    expect(history[3]).toMatch(/^CFIS001\s+acceptance-test\s+passed\s+-\s+database v1\s+lead1\s+\S+$/);
    expect(json(await as('lead1', ['item', 'show', 'IR-1', '--json'])).tests).toHaveLength(2);
  });
});
