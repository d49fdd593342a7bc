import { fork } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { verifyAudit } from '../../src/services/audit.js';
import { createRelease } from '../../src/services/releases.js';
import { dialects } from '../support/databases.js';
import { harness, userWith, type Harness } from '../support/harness.js';
import { auditRows, counterValue, expectedNames, releaseCounterScope, releaseInput } from '../support/service-fixtures.js';
import type { WorkerMessage } from './workers/create-releases.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const WORKER = path.join(ROOT, 'test/services/workers/create-releases.ts');

type Worker = { ready: Promise<void>; done: Promise<{ names: string[]; errors: string[] }>; go(): void };

/** Forks one worker process (`node --import tsx`) and follows its messages. */
function startWorker(args: string[]): Worker {
  const child = fork(WORKER, args, { cwd: ROOT, execArgv: ['--import', 'tsx'], stdio: ['ignore', 'pipe', 'pipe', 'ipc'] });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  child.stdout?.resume();
  let markReady: () => void = () => undefined;
  const ready = new Promise<void>((resolve) => (markReady = resolve));
  const done = new Promise<{ names: string[]; errors: string[] }>((resolve, reject) => {
    let result: { names: string[]; errors: string[] } | undefined;
    let failure: string | undefined;
    child.on('message', (m: WorkerMessage) => {
      if (m.type === 'ready') markReady();
      else if (m.type === 'done') result = { names: m.names, errors: m.errors };
      else failure = m.message;
    });
    child.on('error', reject);
    child.on('exit', (code) => {
      if (code === 0 && result) resolve(result);
      else reject(new Error(`worker ${args.join(' ')} exited with ${code}: ${failure ?? ''}\n${stderr}`));
    });
  });
  // A worker that dies before `ready` must not leave the test waiting forever.
  done.catch(() => markReady());
  return { ready, done, go: () => child.send('go') };
}

describe.skipIf(!process.env.RELMAN_TEST_PG_URL)('concurrent release creation across processes (postgres)', () => {
  let h: Harness | undefined;
  afterEach(async () => h?.close());

  it('4 processes × 50 releases get 200 distinct, contiguous names and a chain that verifies', async () => {
    h = await harness('postgres');
    const deps = h.deps;
    const url = h.scratch.url;
    if (!url) throw new Error('a PostgreSQL scratch database has a URL');
    await userWith(deps, ['developer'], 'racer');
    const seqBefore = (await auditRows(deps)).length;

    const workers = [1, 2, 3, 4].map((n) => startWorker([url, '50', 'racer', `w${n}`]));
    await Promise.all(workers.map((w) => w.ready));
    for (const w of workers) w.go();
    const results = await Promise.all(workers.map((w) => w.done));

    for (const r of results) {
      expect(r.errors).toEqual([]);
      expect(r.names).toHaveLength(50);
    }
    const all = results.flatMap((r) => r.names);
    expect(new Set(all).size).toBe(200);
    expect([...all].sort()).toEqual(expectedNames('CFIS', 1, 200));

    const rows = await deps.database.kysely.selectFrom('releases').select(['name', 'sequence', 'title']).orderBy('sequence').execute();
    expect(rows.map((r) => r.name)).toEqual(expectedNames('CFIS', 1, 200));
    expect(rows.map((r) => r.sequence)).toEqual(Array.from({ length: 200 }, (_, i) => i + 1));
    // Every worker really took part.
    for (const n of [1, 2, 3, 4]) expect(rows.filter((r) => r.title.startsWith(`w${n} #`))).toHaveLength(50);
    expect(await counterValue(deps, await releaseCounterScope(deps, 'cms-net'))).toBe(200);

    const verified = await verifyAudit(deps.database.kysely);
    expect(verified).toMatchObject({ ok: true, events: seqBefore + 200 });
    const events = await auditRows(deps, seqBefore);
    expect(events.map((e) => e.action)).toEqual(Array(200).fill('release.create'));
    expect(events.map((e) => e.subject_id).sort()).toEqual(expectedNames('cms-net/CFIS', 1, 200));
    expect(events.map((e) => e.seq)).toEqual(Array.from({ length: 200 }, (_, i) => seqBefore + i + 1));
  });
});

describe.each(dialects)('concurrent release creation in one process ($name)', ({ name }) => {
  let h: Harness | undefined;
  afterEach(async () => h?.close());

  it('50 concurrent creates get contiguous names CFIS001..CFIS050', async () => {
    h = await harness(name);
    const deps = h.deps;
    const { actor } = await userWith(deps, ['technical-lead']);
    const seqBefore = (await auditRows(deps)).length;

    const results = await Promise.allSettled(
      Array.from({ length: 50 }, (_, i) =>
        // Every fifth request is invalid: refusals in the crowd must not leave gaps.
        createRelease(deps, actor, releaseInput(i % 5 === 4 ? { channels: ['nope'] } : { title: `#${i}` })),
      ),
    );
    const names = results.flatMap((r) => (r.status === 'fulfilled' ? [r.value.name] : []));
    expect(results.filter((r) => r.status === 'rejected')).toHaveLength(10);
    expect(names.sort()).toEqual(expectedNames('CFIS', 1, 40));

    const more = await Promise.all(Array.from({ length: 10 }, () => createRelease(deps, actor, releaseInput())));
    expect(more.map((r) => r.name).sort()).toEqual(expectedNames('CFIS', 41, 50));
    const rows = await deps.database.kysely.selectFrom('releases').select('sequence').orderBy('sequence').execute();
    expect(rows.map((r) => r.sequence)).toEqual(Array.from({ length: 50 }, (_, i) => i + 1));
    expect(await verifyAudit(deps.database.kysely)).toMatchObject({ ok: true, events: seqBefore + 50 });
    expect((await auditRows(deps, seqBefore)).every((e) => e.action === 'release.create')).toBe(true);
  });
});
