/**
 * Worker process for the concurrency test: opens its own pool on the shared
 * PostgreSQL database, says `ready`, waits for `go`, then creates releases
 * concurrently through the service layer and reports the names it got.
 *
 * Usage (forked with IPC): node --import tsx create-releases.ts <url> <count> <username> <label>
 */
import { openDatabase } from '../../../src/db/database.js';
import { userByName } from '../../../src/db/repositories/users.js';
import { createDeps } from '../../../src/runtime.js';
import { createRelease } from '../../../src/services/releases.js';

export type WorkerMessage = { type: 'ready' } | { type: 'done'; names: string[]; errors: string[] } | { type: 'error'; message: string };

function send(message: WorkerMessage): Promise<void> {
  return new Promise((resolve, reject) => {
    if (!process.send) return reject(new Error('this worker must be forked with an IPC channel'));
    process.send(message, (err: Error | null) => (err ? reject(err) : resolve()));
  });
}

const [url, countArg, username, label] = process.argv.slice(2);
if (!url || !countArg || !username || !label) throw new Error('usage: create-releases.ts <url> <count> <username> <label>');
const count = Number(countArg);

const POOL_SIZE = 8;
const deps = createDeps(openDatabase({ dialect: 'postgres', url, poolSize: POOL_SIZE }));
try {
  const user = await userByName(deps.database.kysely, username);
  if (!user) throw new Error(`no user ${username}`);
  const actor = { userId: user.id, username: user.username, roles: user.roles };
  const go = new Promise<void>((resolve) => process.once('message', () => resolve()));
  await send({ type: 'ready' });
  await go;
  // As many creates at once as the pool has connections: the race is between
  // processes on the counter row, not between requests queued for a connection
  // (which time out after 10 s on a busy machine).
  const results: PromiseSettledResult<{ name: string }>[] = new Array(count);
  let next = 0;
  const lane = async (): Promise<void> => {
    for (let i = next++; i < count; i = next++) {
      results[i] = await createRelease(deps, actor, {
        type: 'scheduled',
        plannedDate: '2030-02-02',
        channels: ['database'],
        title: `${label} #${i + 1}`,
      }).then(
        (value) => ({ status: 'fulfilled' as const, value }),
        (reason: unknown) => ({ status: 'rejected' as const, reason }),
      );
    }
  };
  await Promise.all(Array.from({ length: POOL_SIZE }, lane));
  const names: string[] = [];
  const errors: string[] = [];
  for (const r of results) {
    if (r.status === 'fulfilled') names.push(r.value.name);
    else errors.push(String((r.reason as Error)?.message ?? r.reason));
  }
  await send({ type: 'done', names, errors });
} catch (err) {
  await send({ type: 'error', message: (err as Error).stack ?? String(err) });
  process.exitCode = 1;
} finally {
  await deps.database.close();
  process.disconnect();
}
