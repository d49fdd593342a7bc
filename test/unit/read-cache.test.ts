import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { TtlCache } from '../../src/services/read-cache.js';
import { SYSTEM_ACTOR } from '../../src/services/actor.js';
import { actorFromToken, revokeToken } from '../../src/services/auth.js';
import { createRelease, getRelease, updateRelease } from '../../src/services/releases.js';
import { harness, userWith, type Harness } from '../support/harness.js';

describe('TtlCache', () => {
  it('serves an entry until its age reaches the TTL', () => {
    let now = 0;
    const c = new TtlCache<string>(1000, 10, () => now);
    c.set('a', 'x');
    now = 999;
    expect(c.get('a')).toBe('x');
    now = 1000;
    expect(c.get('a')).toBeUndefined();
  });

  it('evicts the oldest entry when full, and clears', () => {
    const c = new TtlCache<number>(1000, 2, () => 0);
    c.set('a', 1);
    c.set('b', 2);
    c.set('c', 3);
    expect([c.get('a'), c.get('b'), c.get('c')]).toEqual([undefined, 2, 3]);
    c.clear();
    expect(c.get('b')).toBeUndefined();
  });
});

describe('read caches', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await harness('sqlite');
  });
  afterAll(async () => {
    await h.close();
  });

  it('a write of this process is seen by the next read at once', async () => {
    const r = await createRelease(h.deps, SYSTEM_ACTOR, { type: 'scheduled', plannedDate: '2026-12-05', channels: ['web'] });
    expect((await getRelease(h.deps, { name: r.name })).title).toBe('');
    await updateRelease(h.deps, SYSTEM_ACTOR, { name: r.name }, { title: 'Renamed' });
    expect((await getRelease(h.deps, { name: r.name })).title).toBe('Renamed');
  });

  it('a change made behind this process’s back is seen once the cache entry expires', async () => {
    const r = await createRelease(h.deps, SYSTEM_ACTOR, { type: 'scheduled', plannedDate: '2026-12-05', channels: ['web'] });
    expect((await getRelease(h.deps, { name: r.name })).title).toBe('');
    // As another relman process would: straight in the database, not through this process.
    await sql`update releases set title = 'elsewhere' where name = ${r.name}`.execute(h.deps.database.kysely);
    expect((await getRelease(h.deps, { name: r.name })).title).toBe('');
    h.deps.caches.releases.clear();
    expect((await getRelease(h.deps, { name: r.name })).title).toBe('elsewhere');
  });

  it('revoking a token drops the cached actor in this process', async () => {
    const u = await userWith(h.deps, ['viewer']);
    expect((await actorFromToken(h.deps, u.token))?.username).toBe(u.username);
    const id = (
      await h.deps.database.kysely
        .selectFrom('api_tokens')
        .select('id')
        .where('user_id', '=', u.actor.userId ?? '')
        .executeTakeFirstOrThrow()
    ).id;
    await revokeToken(h.deps, SYSTEM_ACTOR, id);
    expect(await actorFromToken(h.deps, u.token)).toBeNull();
  });
});
