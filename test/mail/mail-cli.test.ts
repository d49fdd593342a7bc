import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { cleanEnv, runCli, startServer } from '../support/cli-process.js';
import { cliCrew, json, LEAD_AND_CMC, ok } from '../support/cli-crew.js';
import { dialects, scratchDatabase } from '../support/databases.js';

const ADMIN_PASSWORD = 'admin-password-for-mail-cli';

async function until<T>(what: string, fn: () => Promise<T | undefined>, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe.each(dialects)('relman mail, contact and group commands against a running server ($name)', ({ name: dialect }) => {
  const crew = cliCrew({
    dialect,
    name: 'mail-cli',
    adminPassword: ADMIN_PASSWORD,
    users: [...LEAD_AND_CMC, ['viewer1', 'viewer']],
    mail: { RELMAN_PUBLIC_URL: 'https://relman.test.example' },
  });
  const as = crew.as;

  it('manages groups and contacts', { timeout: 180_000 }, async () => {
    expect(ok(await as('viewer1', ['group', 'list']))).toMatch(
      /^deployment-team\s+Deployment team \(CIO E-Business\)\s+deployment-team@example\.org/m,
    );
    expect(ok(await as('cmc1', ['group', 'add', 'dba', '--name', 'DBAs', '--email', 'dba@example.org']))).toBe(
      'added group dba <dba@example.org>\n',
    );
    expect(ok(await as('cmc1', ['group', 'update', 'dba', '--description', 'Database people']))).toBe(
      'updated group dba <dba@example.org>\n',
    );
    expect(json(await as('viewer1', ['group', 'list', '--json'])).map((g: { key: string }) => g.key)).toEqual(['dba', 'deployment-team']);
    expect(ok(await as('cmc1', ['group', 'remove', 'dba']))).toBe('removed group dba\n');
    const dup = await as('cmc1', ['group', 'add', 'deployment-team', '--name', 'X', '--email', 'x@example.org']);
    expect(dup.code).toBe(6);

    const added = json(
      await as('cmc1', [
        'contact',
        'add',
        '--kind',
        'escalation',
        '--role',
        'cmc',
        '--person',
        'Ann Level',
        '--phone',
        '555-0101',
        '--json',
      ]),
    );
    expect(added).toMatchObject({ kind: 'escalation', role: 'cmc', person: 'Ann Level', phone: '555-0101', order: 1 });
    expect(ok(await as('cmc1', ['contact', 'update', added.id, '--phone', '', '--email', 'ann@example.org']))).toBe(
      `updated escalation contact Ann Level (${added.id})\n`,
    );
    const listed = ok(await as('viewer1', ['contact', 'list', '--kind', 'escalation']));
    expect(listed).toMatch(/^ID\s+KIND\s+ORDER\s+ROLE\s+SYSTEM\s+PERSON\s+PHONE\s+EMAIL$/m);
    expect(listed).toMatch(new RegExp(`^${added.id}\\s+escalation\\s+1\\s+cmc\\s+-\\s+Ann Level\\s+-\\s+ann@example\\.org$`, 'm'));
    const noRole = await as('cmc1', ['contact', 'add', '--kind', 'resource', '--person', 'Nobody']);
    expect(noRole.code).toBe(7);
    expect(noRole.stderr).toContain('role: a resource contact names a role');
    expect((await as('cmc1', ['contact', 'list', '--kind', 'martian'])).code).toBe(2);
    expect((await as('lead1', ['contact', 'add', '--kind', 'external', '--system', 'cats', '--person', 'X'])).code).toBe(4);
    ok(
      await as('cmc1', [
        'contact',
        'add',
        '--kind',
        'external',
        '--system',
        'cats',
        '--person',
        'CATS desk',
        '--email',
        'desk@cats.example',
      ]),
    );
    expect(ok(await as('cmc1', ['contact', 'remove', added.id]))).toBe(`removed contact ${added.id}\n`);
    expect((await as('cmc1', ['contact', 'remove', added.id])).code).toBe(5);
  });

  it(
    'sends a template’s mail, which the background job delivers through SMTP; lists, shows and retries',
    { timeout: 180_000 },
    async () => {
      const release = json(
        await as('lead1', ['release', 'create', '--type', 'scheduled', '--date', '2030-05-04', '--channels', 'database', '--json']),
      );
      // The mail server says "try later" at first: the task the mail completes is sent, awaiting delivery — not done.
      crew.smtp.refuse.everything = 451;
      const out = ok(
        await as('lead1', [
          'mail',
          'send',
          release.name,
          '--template',
          'deployment-notice',
          '--note',
          'On the share.',
          '--to',
          'ops@example.org',
        ]),
      );
      expect(out).toMatch(
        new RegExp(
          `^queued deployment-notice for ${release.name} to deployment-team@example\\.org, ops@example\\.org, lead1@example\\.org \\(mail [0-9a-f-]{36}\\)$`,
          'm',
        ),
      );
      const id = /\(mail ([0-9a-f-]{36})\)/.exec(out)?.[1] ?? '';
      expect(out).toContain('checklist task(s) sent, awaiting delivery: inform-deployment-team');
      await until('a refused attempt', async () => {
        const m = json(await as('viewer1', ['mail', 'show', id, '--json']));
        return m.attempts > 0 ? m : undefined;
      });
      expect(ok(await as('viewer1', ['checklist', 'show', release.name]))).toMatch(
        /^inform-deployment-team\s.*\ssent, awaiting delivery\s/m,
      );
      crew.smtp.refuse.everything = undefined;
      ok(await as('lead1', ['mail', 'retry', id]));

      await crew.smtp.waitFor(1);
      const got = crew.smtp.received[0];
      expect(got?.mailFrom).toBe('releases@test.example');
      expect([...(got?.rcptTo ?? [])].sort()).toEqual(['deployment-team@example.org', 'lead1@example.org', 'ops@example.org']);
      expect(got?.subject).toBe(`${release.name}: release planned for 2030-05-04, packages ready`);
      expect(got?.text).toContain('On the share.');
      expect(got?.messageId).toBe(`<${id}@relman.invalid>`);

      const sent = await until('the mail to be marked sent', async () => {
        const page = json(await as('viewer1', ['mail', 'list', '--release', release.name, '--json']));
        return page.items.find((m: { id: string; status: string }) => m.id === id && m.status === 'sent') as
          Record<string, unknown> | undefined;
      });
      expect(sent).toMatchObject({ transport: 'smtp', attempts: 2, template: 'deployment-notice' });
      // Accepted: the task is done, by whoever sent the mail.
      const task = await until('the task to be done', async () => {
        const c = json(await as('viewer1', ['checklist', 'show', release.name, '--json']));
        return c.tasks.find((t: { task: string; status: string }) => t.task === 'inform-deployment-team' && t.status === 'done') as
          Record<string, unknown> | undefined;
      });
      expect(task).toMatchObject({
        completedBy: 'lead1',
        evidence: { mailId: id, acceptedFor: ['deployment-team@example.org', 'ops@example.org'] },
      });
      expect(ok(await as('viewer1', ['mail', 'list', '--status', 'sent']))).toMatch(
        new RegExp(`^${id}\\s+sent\\s+deployment-notice\\s+${release.name}\\s`, 'm'),
      );
      const shown = ok(await as('viewer1', ['mail', 'show', id]));
      expect(shown).toMatch(/^status\s+sent$/m);
      expect(shown).toContain(`Release ${release.name} () of CMS Net is planned for 2030-05-04.`);
      expect(json(await as('viewer1', ['mail', 'show', id, '--json']))).toMatchObject({ id, status: 'sent' });

      const again = await as('lead1', ['mail', 'retry', id]);
      expect(again.code).toBe(6);
      expect(again.stderr).toContain('already sent');
      expect((await as('viewer1', ['mail', 'show', '00000000-0000-4000-8000-000000000000'])).code).toBe(5);
      expect((await as('viewer1', ['mail', 'list', '--status', 'lost'])).code).toBe(2);
      expect((await as('lead1', ['mail', 'send', release.name, '--template', 'nope'])).code).toBe(7);
      expect((await as('viewer1', ['mail', 'send', release.name, '--template', 'release-notes'])).code).toBe(4);

      // MEDS has no address: refused, by name, and nothing is sent.
      const noAddress = await as('lead1', [
        'mail',
        'send',
        release.name,
        '--template',
        'external-notice',
        '--system',
        'cats',
        '--system',
        'meds',
      ]);
      expect(noAddress.code).toBe(7);
      expect(noAddress.stderr).toContain('MEDS (meds) has no e-mail address');
      const notice = ok(await as('lead1', ['mail', 'send', release.name, '--template', 'external-notice', '--system', 'cats']));
      expect(notice).toContain('notice awaiting delivery to: cats (desk@cats.example)');
      await crew.smtp.waitFor(2);
      expect(crew.smtp.received).toHaveLength(2);
      expect(crew.smtp.received[1]?.rcptTo).toContain('desk@cats.example');
      // Accepted for CATS's address: now, and only now, CATS is notified; MEDS is not.
      const notified = await until('CATS to be notified', async () => {
        const e = json(await as('viewer1', ['release', 'evidence', release.name, '--json']));
        return e.notifications.find((n: { system: string; status: string }) => n.system === 'cats' && n.status === 'notified') as
          { summary: string } | undefined;
      });
      expect(notified.summary).toMatch(/^CATS notified: e-mail <[0-9a-f-]{36}@relman\.invalid> accepted for desk@cats\.example at \d{4}-/);
      const evidence = ok(await as('viewer1', ['release', 'evidence', release.name]));
      expect(evidence).toContain('CATS notified: e-mail');
      expect(evidence).not.toContain('MEDS');
      // Nothing went to the maildir: an SMTP server is configured.
      expect(() => readdirSync(path.join(crew.scratch.dataDir, 'maildir', 'new'))).toThrow();
    },
  );
});

describe('relman serve without an SMTP server', () => {
  it('delivers to the maildir in the data directory', { timeout: 120_000 }, async () => {
    const scratch = await scratchDatabase('sqlite');
    const tmp = mkdtempSync(path.join(os.tmpdir(), 'relman-maildir-cli-'));
    const server = await startServer({ dataDir: scratch.dataDir, adminPassword: ADMIN_PASSWORD, env: { RELMAN_JOBS_INTERVAL_MS: '100' } });
    try {
      ok(await runCli(['user', 'add', 'lead2', '--role', 'technical-lead', '--no-password'], server.localEnv));
      const token = ok(await runCli(['token', 'create', '--user', 'lead2'], server.localEnv)).trim();
      const env = cleanEnv({ XDG_CONFIG_HOME: path.join(tmp, 'config'), RELMAN_URL: server.url, RELMAN_TOKEN: token });
      const release = json(
        await runCli(['release', 'create', '--type', 'scheduled', '--date', '2030-05-04', '--channels', 'web', '--json'], env),
      );
      ok(await runCli(['mail', 'send', release.name, '--template', 'release-notes'], env));
      const dir = path.join(scratch.dataDir, 'maildir', 'new');
      const files = await until('a file in maildir/new', async () => {
        try {
          const f = readdirSync(dir);
          return f.length > 0 ? f : undefined;
        } catch {
          return undefined;
        }
      });
      expect(files).toHaveLength(1);
      const page = await until('the mail to be marked sent', async () => {
        const p = json(await runCli(['mail', 'list', '--json'], env));
        return p.items[0]?.status === 'sent' ? p : undefined;
      });
      expect(page.items[0]).toMatchObject({ transport: 'maildir', subject: `${release.name}: release notes` });
    } finally {
      await server.stop();
      await scratch.drop();
      rmSync(tmp, { recursive: true, force: true });
    }
  });
});
