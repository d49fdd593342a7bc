/**
 * A production deployment run whose relman is killed with SIGKILL twenty
 * times at random points, and started again on the same data each time: no
 * step is ever shown done that did not finish (nor done without its
 * evidence), no step of a dead process is shown running once its lease ran
 * out, and the drop location never holds, under a final name, a file that
 * was not verified. Afterwards the run finishes normally. Needs an OpenSSH
 * server (test/support/sshd.ts) and the built server (`npm run build`).
 *
 * The kill points come from a seeded generator; the seed is printed, and
 * RELMAN_CRASH_SEED=<seed> repeats the same delays.
 */
import { createHash, randomBytes } from 'node:crypto';
import { createReadStream, existsSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, startServer, type CliResult, type RunningServer } from '../support/cli-process.js';
import { dialects, scratchDatabase, type ScratchDatabase } from '../support/databases.js';
import { staticZip, writeZip } from '../support/packages.js';
import { sshdMissing, startSshd, type Sshd } from '../support/sshd.js';

const missing = sshdMissing();
if (missing && process.env.RELMAN_REQUIRE_SSHD === '1') throw new Error(`SFTP tests cannot run: ${missing}`);
const describeSshd = missing ? describe.skip : describe;
const skipNote = missing ? ` — skipped: ${missing}` : '';

const ADMIN_PASSWORD = 'admin-password-for-deployment-crash-tests';
const MiB = 1024 * 1024;
/** The WAR's size: a transfer that takes about a second on loopback, so that many kills land in it. */
const WAR_BYTES = 40 * MiB;
const KILLS = 20;
/** How many of the kills come after the transfer finished. */
const AFTER_TRANSFER = 4;
const MAX_DELAY_MS = 1500;
const LEASE_SECONDS = 2;
const TICK_MS = 100;
const V = '/api/v1';

/** mulberry32: a small seeded generator, so that a failing sequence of kill points can be run again. */
function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

async function hashFile(file: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

function ok(r: CliResult): string {
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
  return r.stdout;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

type Step = {
  step: string;
  state: string;
  startedAt: string | null;
  attempts: number;
  outcome: string;
  evidence: Record<string, unknown> | null;
};
type Run = { number: number; state: string; steps: Step[] };
type PackageFile = { name: string; size: number; sha256: string };

describeSshd(`kill -9 of relman during a production deployment run${skipNote}`, () => {
  let sshd: Sshd;
  let work: string;
  const files: PackageFile[] = [];
  const localPath = (name: string) => path.join(work, name);

  beforeAll(async () => {
    sshd = await startSshd();
    work = mkdtempSync(path.join(os.tmpdir(), 'relman-deploy-crash-'));
    const zip = await staticZip();
    writeFileSync(localPath('CMSNET.zip'), zip);
    // A stored (not deflated) entry of random bytes: a big but valid WAR, cheap to build.
    await writeZip(localPath('CMSNET.war'), [
      { name: 'META-INF/MANIFEST.MF', data: 'Manifest-Version: 1.0\r\n' },
      { name: 'WEB-INF/web.xml', data: '<web-app version="3.1"/>\n' },
      { name: 'WEB-INF/lib/payload.jar', data: randomBytes(WAR_BYTES), compress: false },
    ]);
    for (const name of ['CMSNET.zip', 'CMSNET.war'])
      files.push({ name, size: statSync(localPath(name)).size, sha256: await hashFile(localPath(name)) });
  });
  afterAll(async () => {
    await sshd?.stop();
    if (work) rmSync(work, { recursive: true, force: true });
  });

  describe.each(dialects)('on $name', ({ name: dialect }) => {
    let scratch: ScratchDatabase;
    let server: RunningServer | undefined;
    const tokens = new Map<string, string>();
    const env = {
      RELMAN_SECRET_KEY: randomBytes(32).toString('base64'),
      RELMAN_DEPLOYMENT_LEASE_SECONDS: String(LEASE_SECONDS),
      RELMAN_JOBS_INTERVAL_MS: String(TICK_MS),
    };
    const start = async () => {
      server = await startServer({ dataDir: scratch.dataDir, databaseUrl: scratch.url, adminPassword: ADMIN_PASSWORD, env });
      return server;
    };

    /** One call to the served API as `user`; the JSON answer (or null) with its status. */
    const call = async (user: string, method: string, url: string, body?: unknown): Promise<{ status: number; json: any }> => {
      const isBytes = Buffer.isBuffer(body);
      const res = await fetch(`${server!.url}${V}${url}`, {
        method,
        headers: {
          authorization: `Bearer ${tokens.get(user) ?? ''}`,
          ...(body === undefined ? {} : { 'content-type': isBytes ? 'application/octet-stream' : 'application/json' }),
        },
        ...(body === undefined ? {} : { body: isBytes ? body : JSON.stringify(body) }),
      });
      const text = await res.text();
      return { status: res.status, json: text ? JSON.parse(text) : null };
    };
    /** A call that must answer `status`. */
    const must = async (status: number, user: string, method: string, url: string, body?: unknown): Promise<any> => {
      const r = await call(user, method, url, body);
      const log = r.status >= 500 ? `\nserver log:\n${server!.log().slice(-4000)}` : '';
      expect(r.status, `${method} ${url}: ${JSON.stringify(r.json)}${log}`).toBe(status);
      return r.json;
    };

    beforeAll(async () => {
      scratch = await scratchDatabase(dialect);
      const s = await start();
      const users: [string, string[]][] = [
        ['lead', ['technical-lead']],
        ['dev', ['developer']],
        ['cmc', ['cmc']],
        ['analyst', ['systems-analyst']],
        ['weblead', ['web-lead']],
        ['ops', ['deployment']],
      ];
      for (const [user, roles] of users) {
        ok(await runCli(['user', 'add', user, ...roles.flatMap((r) => ['--role', r]), '--no-password'], s.localEnv));
        tokens.set(user, ok(await runCli(['token', 'create', '--user', user], s.localEnv)).trim());
      }
      tokens.set('admin', await adminToken(s));
    });
    afterAll(async () => {
      await server?.stop();
      await scratch?.drop();
    });

    async function adminToken(s: RunningServer): Promise<string> {
      return ok(await runCli(['token', 'create', '--user', 'admin'], s.localEnv)).trim();
    }

    /** A web-only release, with its ZIP and WAR uploaded, taken to approved-for-production as the template's people would. */
    async function approvedWebRelease(): Promise<string> {
      const name = (await must(201, 'lead', 'POST', '/releases', { type: 'scheduled', plannedDate: '2030-02-02', channels: ['web'] }))
        .name as string;
      const items: string[] = [];
      for (const kind of ['IR', 'SMCR']) {
        const item = await must(201, 'dev', 'POST', '/items', { kind, helpdeskRef: `HD-${kind}`, title: `${kind} change` });
        await must(200, 'lead', 'PUT', `/items/${item.key}/release`, { release: name });
        items.push(item.key as string);
      }
      const rel = (rest: string) => `/releases/${name}${rest}`;
      const transition = (user: string, transition: string) => must(201, user, 'POST', rel('/transitions'), { transition });
      const approve = (step: string) => must(201, 'cmc', 'POST', rel('/approvals'), { step, decision: 'approve' });
      await transition('dev', 'start-packaging');
      for (const f of files) await must(201, 'dev', 'PUT', rel(`/packages/web/files/${f.name}`), await readBytes(f.name));
      await must(201, 'dev', 'POST', rel('/steps'), { step: 'verify-package', channel: 'web' });
      await transition('dev', 'mark-package-verified');
      await approve('at-go-ahead');
      await transition('lead', 'install-in-at');
      for (const item of items)
        await must(201, 'analyst', 'POST', rel('/tests'), { item, environment: 'acceptance-test', result: 'passed' });
      await approve('at-signoff');
      await transition('cmc', 'complete-at');
      for (const system of ['cats', 'meds', 'fiscal-intermediary'])
        await must(201, 'lead', 'POST', rel('/notifications'), { system, means: 'phone', note: 'called the interface desk' });
      await approve('production-approval');
      await transition('cmc', 'approve-for-production');
      return name;
    }

    async function readBytes(name: string): Promise<Buffer> {
      const { readFile } = await import('node:fs/promises');
      return readFile(localPath(name));
    }

    it('never shows a step done that did not finish, nor puts an unverified file under its final name', { timeout: 300_000 }, async () => {
      const began = Date.now();
      await must(200, 'admin', 'PUT', '/targets/production/web', {
        sftp: {
          host: '127.0.0.1',
          port: sshd.port,
          username: sshd.username,
          directory: sshd.dropDir,
          hostKeyFingerprint: sshd.hostKeyFingerprint,
        },
        secret: { privateKey: sshd.privateKey },
      });
      const name = await approvedWebRelease();
      let runNumber = 1;
      const runUrl = () => `/releases/${name}/deployments/${runNumber}`;
      const prepared = Date.now();

      const expected = new Map(files.map((f) => [f.name, f]));
      /** (a) Every file under a final name is the package file of that name, byte for byte. */
      const checkDrop = async () => {
        for (const entry of readdirSync(sshd.dropDir)) {
          if (entry.endsWith('.part')) continue;
          const want = expected.get(entry);
          expect(want, `unexpected file ${entry} in the drop location`).toBeDefined();
          const file = path.join(sshd.dropDir, entry);
          expect(statSync(file).size, `${entry}: size`).toBe(want!.size);
          expect(await hashFile(file), `${entry}: SHA-256`).toBe(want!.sha256);
        }
      };
      /** (b), (d) What a run shows done has its evidence, and a done transfer's files are in place. */
      const checkShown = async (run: Run, killedAt: number | null) => {
        const [transfer, install, verify] = run.steps;
        expect(run.steps.map((s) => s.step)).toEqual(['transfer-web', 'install-web', 'verify-application']);
        // Nobody acknowledged the manual steps yet.
        expect(install!.state).not.toBe('done');
        expect(verify!.state).not.toBe('done');
        if (transfer!.state === 'done') {
          const ev = transfer!.evidence as { files?: { name: string; size: number; sha256: string; verifiedBy: string }[] } | null;
          expect(ev?.files?.map((f) => f.name).sort()).toEqual([...expected.keys()].sort());
          for (const f of ev!.files!) {
            expect(f).toMatchObject({ size: expected.get(f.name)!.size, sha256: expected.get(f.name)!.sha256 });
            expect(['remote-sha256sum', 'read-back']).toContain(f.verifiedBy);
            expect(existsSync(path.join(sshd.dropDir, f.name)), `${f.name} is shown transferred but is not there`).toBe(true);
          }
        } else {
          expect(transfer!.evidence).toBeNull();
        }
        // (c) A step of the process that was killed is never shown running once its lease ran out.
        if (killedAt !== null && transfer!.state === 'running')
          expect(Date.parse(transfer!.startedAt!), 'a step of the killed process is shown running').toBeGreaterThan(killedAt);
        await checkDrop();
      };
      const show = async (user = 'weblead'): Promise<Run> => (await must(200, user, 'GET', runUrl())) as Run;

      const started = (await must(201, 'weblead', 'POST', `/releases/${name}/deployments`, { environment: 'production' })) as Run;
      expect(started.steps.map((s) => [s.step, s.state])).toEqual([
        ['transfer-web', 'waiting'],
        ['install-web', 'waiting'],
        ['verify-application', 'waiting'],
      ]);

      /** Retries the transfer whenever it stops short, until it is done (checking what is shown on the way). */
      const untilTransferDone = async (): Promise<Run> => {
        const deadline = Date.now() + 60_000;
        for (;;) {
          const run = await show();
          await checkShown(run, null);
          const state = run.steps[0]!.state;
          if (state === 'done') return run;
          expect(Date.now(), `the transfer did not finish: ${JSON.stringify(run.steps[0])}`).toBeLessThan(deadline);
          if (state === 'interrupted' || state === 'failed')
            await must(200, 'weblead', 'POST', `${runUrl()}/steps/transfer-web/retry`, { comment: 'once more' });
          await sleep(100);
        }
      };
      /** Waits until a manual step is handed to its people. */
      const untilRunning = async (step: string, user: string) => {
        const deadline = Date.now() + 10_000;
        while ((await show(user)).steps.find((s) => s.step === step)!.state !== 'running') {
          expect(Date.now(), `${step} was not handed to its people`).toBeLessThan(deadline);
          await sleep(100);
        }
      };
      const war = files.find((f) => f.name.endsWith('.war'))!;
      /** The .part files in the drop location, with their size and when they were last written. */
      const partFiles = () =>
        readdirSync(sshd.dropDir)
          .filter((n) => n.endsWith('.part'))
          .flatMap((n) => {
            try {
              const st = statSync(path.join(sshd.dropDir, n));
              return [{ name: n.slice(0, -'.part'.length), size: st.size, mtime: st.mtimeMs }];
            } catch {
              return [];
            }
          });

      const seed = Number(process.env.RELMAN_CRASH_SEED ?? Math.floor(Math.random() * 2 ** 31));
      const random = seeded(seed);
      console.log(`deployment crash test (${dialect}): seed ${seed} (RELMAN_CRASH_SEED=${seed} repeats the kill points)`);
      const hits: Record<string, number> = {};
      const points: string[] = [];
      let retries = 0;
      let placedNotRecorded = 0;
      const restartMs: number[] = [];
      let since = Date.now();
      for (let k = 1; k <= KILLS; k++) {
        // The last kills come once the transfer is done: a run waiting for its people survives them unchanged.
        if (k === KILLS - AFTER_TRANSFER + 1) {
          await untilTransferDone();
          since = Date.now();
        } else if (k < KILLS - AFTER_TRANSFER + 1 && (await show()).steps[0]!.state === 'done') {
          // The transfer finished before its share of kills: its run is given up and a new one transfers again.
          await untilRunning('install-web', 'ops');
          await must(200, 'ops', 'POST', `${runUrl()}/steps/install-web/ack`, {
            outcome: 'failed',
            note: 'not yet: the transfer is tried again',
          });
          const again = (await must(201, 'weblead', 'POST', `/releases/${name}/deployments`, { environment: 'production' })) as Run;
          runNumber = again.number;
          points.push(`run ${runNumber} started: the transfer of run ${runNumber - 1} had finished before kill ${k}`);
          since = Date.now();
        }
        // Where the kill falls: a random time after the (re)start, or a random point of the WAR's transfer
        // (a share of its bytes written, its last byte written and then verified, renamed into place).
        const inTransfer = k <= KILLS - AFTER_TRANSFER;
        const [r, x] = [random(), random()];
        // The last kill of the transfer falls right after the WAR's rename, before the step is recorded done.
        const mode = !inTransfer ? 'time' : k === KILLS - AFTER_TRANSFER ? 'placed' : r < 0.3 ? 'early' : r < 0.75 ? 'bytes' : 'sent';
        /** Waits until `reached` holds, or the transfer has stopped (done, failed, interrupted). */
        let polled: Step | undefined;
        const until = async (reached: () => boolean) => {
          const deadline = Date.now() + 20_000;
          let asked = 0;
          while (!reached() && Date.now() < deadline) {
            if (Date.now() - asked > 250) {
              polled = (await show()).steps[0]!;
              if (polled.state !== 'running' && polled.state !== 'waiting') return;
              asked = Date.now();
            }
            await sleep(5);
          }
        };
        const freshWar = () => partFiles().find((p) => p.name === war.name && p.mtime >= since - 1000);
        let label: string;
        if (mode === 'time' || mode === 'early') {
          const delay = Math.floor(x * (mode === 'time' ? MAX_DELAY_MS : 400));
          label = `${delay} ms after the ${mode === 'time' ? 'restart' : '(re)start'}`;
          await sleep(Math.max(0, since + delay - Date.now()));
        } else if (mode === 'bytes') {
          const bytes = Math.floor(x * war.size);
          label = `once ${bytes} bytes of the WAR were written`;
          await until(() => (freshWar()?.size ?? 0) >= bytes);
        } else if (mode === 'sent') {
          const delay = Math.floor(x * 150);
          label = `${delay} ms after the WAR's last byte was written`;
          await until(() => freshWar()?.size === war.size);
          await sleep(delay);
        } else {
          label = 'as soon as the WAR is renamed into place';
          const placed = path.join(sshd.dropDir, war.name);
          await until(() => (statSync(placed, { throwIfNoEntry: false })?.mtimeMs ?? 0) >= since - 1000);
        }
        // Right after the rename there is no time to ask first: what the last look showed stands for it.
        const before = mode === 'placed' && polled ? polled : (await show()).steps[0]!;
        const parts = partFiles();
        process.kill(server!.pid, 'SIGKILL');
        const killedAt = Date.now();
        await server!.exited();
        const attemptStart = before.startedAt ? Date.parse(before.startedAt) : Infinity;
        const fresh = parts.filter((p) => p.mtime >= attemptStart - 5);
        let where =
          before.state !== 'running'
            ? `transfer step ${before.state}`
            : fresh.some((p) => p.size < expected.get(p.name)!.size)
              ? 'mid-transfer: sending a file'
              : fresh.length > 0
                ? 'mid-transfer: verifying or renaming a file'
                : 'mid-transfer: connecting, between files or recording the outcome';

        const restarting = Date.now();
        await start();
        restartMs.push(Date.now() - restarting);
        // (a) holds at once, whatever the new process is doing.
        await checkDrop();
        // Once the dead process's lease has run out (and a tick more) nothing of it may show running.
        await sleep(Math.max(0, killedAt + LEASE_SECONDS * 1000 + 2 * TICK_MS - Date.now()));
        const run = await show();
        await checkShown(run, killedAt);
        const transfer = run.steps[0]!;
        if (before.state === 'done') expect(transfer.state).toBe('done');
        else if (before.state === 'running' && transfer.state === 'done') where = 'transfer step recorded done just before the kill';
        hits[where] = (hits[where] ?? 0) + 1;
        points.push(
          `kill ${k}, ${label}: ${where}` + (fresh.length ? ` (${fresh.map((p) => `${p.name}.part ${p.size} bytes`).join(', ')})` : ''),
        );
        if (transfer.state === 'interrupted' || transfer.state === 'failed') {
          if (transfer.state === 'failed') points.push(`  the transfer failed: ${transfer.outcome}`);
          // Both files renamed into place by the killed attempt, yet not shown done: the kill fell between the two.
          const placed = files.every((f) => {
            const file = path.join(sshd.dropDir, f.name);
            return existsSync(file) && statSync(file).mtimeMs >= attemptStart - 5;
          });
          if (before.state === 'running' && placed) {
            placedNotRecorded++;
            points.push('  both files were in place, the step not yet recorded done: shown interrupted');
          }
          const retried = (await must(200, 'weblead', 'POST', `${runUrl()}/steps/transfer-web/retry`, {
            comment: `after kill ${k}`,
          })) as Run;
          expect(retried.steps[0]!.state).toBe('waiting');
          retries++;
        }
        since = Date.now();
      }
      console.log(
        `deployment crash test (${dialect}): ${KILLS} kills, ${retries} retries, ${runNumber} run(s), in ${((Date.now() - prepared) / 1000).toFixed(1)} s; ` +
          `restarts took ${Math.min(...restartMs)}-${Math.max(...restartMs)} ms; hits: ${JSON.stringify(hits)}; files in place but step not recorded: ${placedNotRecorded}\n${points.join('\n')}`,
      );
      expect(
        Object.entries(hits).reduce((n, [h, c]) => n + (h.startsWith('mid-transfer') ? c : 0), 0),
        'no kill landed in the transfer',
      ).toBeGreaterThan(0);

      // The transfer is done, with its evidence and both files in place.
      let run = await untilTransferDone();
      await checkShown(run, null);
      expect(readdirSync(sshd.dropDir).sort()).toEqual([...expected.keys()].sort());

      // The people do the rest; the run succeeds.
      await untilRunning('install-web', 'ops');
      await must(200, 'ops', 'POST', `${runUrl()}/steps/install-web/ack`, { outcome: 'done', note: 'deployed to both servers' });
      await untilRunning('verify-application', 'analyst');
      run = (await must(200, 'analyst', 'POST', `${runUrl()}/steps/verify-application/ack`, {
        outcome: 'done',
        note: 'claims screens checked',
      })) as Run;
      expect(run.state).toBe('succeeded');
      expect(run.steps.map((s) => s.state)).toEqual(['done', 'done', 'done']);

      // The checklist task the transfer stands for is done, with the transfer as its evidence.
      const checklist = await must(200, 'cmc', 'GET', `/releases/${name}/checklist`);
      const task = (checklist.tasks as { task: string; status: string; evidence: unknown }[]).find(
        (t) => t.task === 'transfer-web-packages',
      );
      expect(task, JSON.stringify(checklist.tasks)).toBeDefined();
      expect(task!.status).toBe('done');
      const evidence = JSON.stringify(task!.evidence);
      for (const f of files) expect(evidence).toContain(f.sha256);
      expect(evidence).toContain('transfer-web');

      expect(ok(await runCli(['audit', 'verify'], server!.localEnv))).toMatch(/^OK: /);
      console.log(`deployment crash test (${dialect}): ${((Date.now() - began) / 1000).toFixed(1)} s in all`);
    });
  });
});
