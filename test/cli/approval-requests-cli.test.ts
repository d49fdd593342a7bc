import { describe, expect, it } from 'vitest';
import { cliCrew, json, LEAD_AND_CMC, ok } from '../support/cli-crew.js';
import { dialects } from '../support/databases.js';

const ADMIN_PASSWORD = 'admin-password-for-approval-cli';

describe.each(dialects)('relman release request-approval and approve --advance against a running server ($name)', ({ name: dialect }) => {
  const crew = cliCrew({
    dialect,
    name: 'approval-cli',
    adminPassword: ADMIN_PASSWORD,
    users: [...LEAD_AND_CMC, ['cmc2', 'cmc', 'cmc2@example.org'], ['analyst1', 'systems-analyst']],
    mail: {},
  });
  const as = crew.as;

  it(
    'tells the coordinators of a request by mail, says plainly when nobody can be told, and approves with --advance',
    { timeout: 180_000 },
    async () => {
      const release = json(
        await as('lead1', ['release', 'create', '--type', 'scheduled', '--date', '2030-05-04', '--channels', 'database', '--json']),
      );
      const name = release.name as string;
      ok(await as('lead1', ['item', 'create', '--kind', 'IR', '--ref', 'HD-1', '--title', 'Totals are wrong']));
      ok(await as('lead1', ['item', 'attach', 'IR-1', name]));
      ok(await as('lead1', ['release', 'transition', name, 'start-packaging']));
      ok(await as('lead1', ['package', 'record', name, '--channel', 'database', '--label', `${name}.xml`]));
      ok(await as('lead1', ['step', 'record', name, 'verify-package', '--channel', 'database']));
      ok(await as('lead1', ['release', 'transition', name, 'mark-package-verified']));

      // The coordinator asks for the go-ahead: the other coordinator is told, not herself.
      const asked = ok(await as('cmc1', ['release', 'request-approval', name, 'at-go-ahead', '--comment', 'ready for AT']));
      const [head, mailLine] = asked.split('\n');
      expect(head).toBe(`requested at-go-ahead on ${name} (cmc1 may not decide it)`);
      expect(mailLine).toMatch(/^mail queued to cmc2@example\.org \(mail [0-9a-f-]{36}; `relman mail list` shows its delivery\)$/);
      const mailId = /\(mail ([0-9a-f-]{36});/.exec(mailLine ?? '')?.[1];
      await crew.smtp.waitFor(1);
      expect(crew.smtp.received[0]?.rcptTo).toEqual(['cmc2@example.org']);
      expect(crew.smtp.received[0]?.subject).toBe(`${name}: cmc1 asks for Go-ahead to install in acceptance test`);
      expect(crew.smtp.received[0]?.text).toContain(`Approve:  relman release approve ${name} at-go-ahead\n`);
      const deadline = Date.now() + 20_000;
      let listed = '';
      while (Date.now() < deadline) {
        listed = ok(await as('cmc1', ['mail', 'list', '--release', name, '--status', 'sent']));
        if (listed.includes(mailId ?? '?')) break;
        await new Promise((r) => setTimeout(r, 200));
      }
      expect(listed).toMatch(new RegExp(`^${mailId}\\s+sent\\s+approval-request\\s+${name}\\s`, 'm'));

      // cmc2 approves with --advance; only the technical lead and the leads may install in AT, so it stays.
      const held = ok(await as('cmc2', ['release', 'approve', name, 'at-go-ahead', '--advance']));
      expect(held.split('\n')).toEqual([
        expect.stringMatching(new RegExp(`^approved at-go-ahead on ${name} \\(cmc2 at \\S+\\)$`)),
        'not advanced: "Install in acceptance test" cannot be taken now',
        '  - install-in-at: "Install in acceptance test" is for technical-lead, database-lead, web-lead; you hold none of these roles',
        '',
      ]);
      ok(await as('lead1', ['release', 'transition', name, 'install-in-at']));
      ok(await as('lead1', ['test', 'record', name, 'IR-1', '--env', 'acceptance-test', '--passed']));

      const advanced = ok(await as('cmc2', ['release', 'approve', name, 'at-signoff', '--advance', '--comment', 'AT complete']));
      expect(advanced).toMatch(
        new RegExp(
          `^approved at-signoff on ${name} \\(cmc2 at \\S+\\)\\n${name}: in-at → at-signed-off \\(complete-at\\) by cmc2 at \\S+\\n$`,
        ),
      );
      const history = json(await as('lead1', ['release', 'history', name, '--json']));
      expect(history.at(-1)).toMatchObject({ transition: 'complete-at', performedBy: 'cmc2', comment: 'AT complete' });

      // Asked again after cmc2 gave it: nobody is left to tell, and the request says so.
      expect(ok(await as('cmc1', ['release', 'request-approval', name, 'at-signoff']))).toBe(
        `requested at-signoff on ${name} (cmc1 may not decide it)\n` +
          'nobody was e-mailed: nobody who may give "Acceptance test sign-off" can be e-mailed: ' +
          'cmc1 asked for it and may not give it (separation of duties); cmc2 has already approved it\n',
      );
      const asJson = json(await as('cmc1', ['release', 'approve', name, 'production-approval', '--advance', '--json']));
      expect(asJson.advance).toMatchObject({ taken: false, transitions: [{ id: 'approve-for-production' }] });
      expect(asJson.advance.transitions[0].unmet.length).toBeGreaterThan(0);
    },
  );
});
