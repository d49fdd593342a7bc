import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, startServer, type RunningServer } from '../support/cli-process.js';
import { scratchDatabase, type ScratchDatabase } from '../support/databases.js';
import { startSmtp, type TestSmtp } from '../support/smtp.js';

const N = 40;
const ADMIN_PASSWORD = 'admin-password-for-mail-cluster';

/**
 * Two relman processes on one PostgreSQL database, both running the outbox
 * job against the same SMTP server: every mail arrives exactly once.
 */
describe.skipIf(!process.env.RELMAN_TEST_PG_URL)('two relman servers on one PostgreSQL deliver each mail once', () => {
  let scratch: ScratchDatabase;
  let smtp: TestSmtp;
  const servers: RunningServer[] = [];

  beforeAll(async () => {
    scratch = await scratchDatabase('postgres');
    smtp = await startSmtp();
    const env = {
      RELMAN_SMTP_HOST: '127.0.0.1',
      RELMAN_SMTP_PORT: String(smtp.port),
      RELMAN_JOBS_INTERVAL_MS: '50',
    };
    // One after the other: the first one migrates and bootstraps the database.
    for (let i = 0; i < 2; i++) {
      servers.push(await startServer({ dataDir: scratch.dataDir, databaseUrl: scratch.url, adminPassword: ADMIN_PASSWORD, env }));
    }
  }, 120_000);
  afterAll(async () => {
    await Promise.all(servers.map((s) => s.stop()));
    await smtp?.stop();
    await scratch?.drop();
  });

  it(`queues ${N} mails through both servers; the SMTP server receives each Message-ID exactly once`, { timeout: 180_000 }, async () => {
    const [a, b] = servers as [RunningServer, RunningServer];
    const add = await runCli(['user', 'add', 'lead', '--role', 'technical-lead', '--no-password'], a.localEnv);
    expect(add.code, add.stderr).toBe(0);
    const token = (await runCli(['token', 'create', '--user', 'lead'], a.localEnv)).stdout.trim();
    const call = async (s: RunningServer, method: string, url: string, body: unknown) => {
      const res = await fetch(`${s.url}/api/v1${url}`, {
        method,
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
      expect(res.status, await res.clone().text()).toBe(201);
      return (await res.json()) as { name: string; id: string; messageId: string };
    };
    const release = await call(a, 'POST', '/releases', { type: 'scheduled', plannedDate: '2030-06-01', channels: ['web'] });
    const queued: string[] = [];
    for (let i = 0; i < N; i += 2) {
      const pair = await Promise.all([
        call(a, 'POST', `/releases/${release.name}/mail`, { template: 'release-notes', note: `mail ${i}` }),
        call(b, 'POST', `/releases/${release.name}/mail`, { template: 'release-notes', note: `mail ${i + 1}` }),
      ]);
      queued.push(...pair.map((m) => m.messageId));
    }
    await smtp.waitFor(N, 60_000);
    // Give a duplicate time to show up.
    await new Promise((r) => setTimeout(r, 1500));
    const ids = smtp.received.map((m) => m.messageId);
    expect(ids).toHaveLength(N);
    expect(new Set(ids).size).toBe(N);
    expect([...ids].sort()).toEqual([...queued].sort());
    for (const m of smtp.received) expect(m.rcptTo).toEqual(['deployment-team@example.org']);
    const res = await fetch(`${b.url}/api/v1/mail?status=sent&limit=500`, { headers: { authorization: `Bearer ${token}` } });
    expect(((await res.json()) as { total: number }).total).toBe(N);
  });
});
