import { TransactionMisuseError } from '../../src/db/database.js';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadSettings, SettingsError } from '../../src/config/settings.js';
import { openDatabase, type Database } from '../../src/db/database.js';
import { releaseByName } from '../../src/db/repositories/releases.js';
import { buildApp } from '../../src/http/app.js';
import { createDeps, databaseTarget } from '../../src/runtime.js';
import { SYSTEM_ACTOR } from '../../src/services/actor.js';
import { createRelease, getRelease } from '../../src/services/releases.js';
import { assignWorkItem, createWorkItem } from '../../src/services/work-items.js';
import { dialects } from '../support/databases.js';
import { harness, userWith, ADMIN_PASSWORD, type Harness } from '../support/harness.js';
import { bearer } from '../support/http.js';

describe('fast-path switches (docs/fast-paths.md)', () => {
  it('are on by default and turned off by RELMAN_READ_CACHE, RELMAN_SQLITE_STATEMENT_CACHE, RELMAN_SQLITE_READ_CONNECTION', () => {
    const on = loadSettings({}, '/tmp');
    expect([on.readCache, on.sqliteStatementCache, on.sqliteReadConnection]).toEqual([true, true, true]);
    const off = loadSettings(
      { RELMAN_READ_CACHE: '0', RELMAN_SQLITE_STATEMENT_CACHE: 'false', RELMAN_SQLITE_READ_CONNECTION: 'off' },
      '/tmp',
    );
    expect([off.readCache, off.sqliteStatementCache, off.sqliteReadConnection]).toEqual([false, false, false]);
    expect(() => loadSettings({ RELMAN_READ_CACHE: 'maybe' }, '/tmp')).toThrow(SettingsError);
    expect(databaseTarget({ dataDir: '/tmp/x', databaseUrl: undefined, sqliteStatementCache: false, sqliteReadConnection: false })).toEqual(
      {
        dialect: 'sqlite',
        file: '/tmp/x/relman.db',
        statementCache: false,
        readConnection: false,
      },
    );
  });
});

describe.each(dialects)('$name: the same answers with every fast path on and off', ({ name }) => {
  let h: Harness;
  let slowDb: Database;
  let fast: FastifyInstance;
  let slow: FastifyInstance;
  let token: string;
  let release: string;
  let cookie: string;

  beforeAll(async () => {
    h = await harness(name);
    // A second server on the same database with the statement cache, the read connection and the read caches off.
    slowDb = openDatabase(
      h.scratch.target.dialect === 'sqlite' ? { ...h.scratch.target, statementCache: false, readConnection: false } : h.scratch.target,
    );
    fast = await buildApp({ deps: h.deps, logLevel: 'silent', validateResponses: true });
    slow = await buildApp({ deps: createDeps(slowDb, undefined, { readCaches: false }), logLevel: 'silent', validateResponses: true });
    token = (await userWith(h.deps, ['admin'])).token;
    release = (
      await createRelease(h.deps, SYSTEM_ACTOR, { type: 'scheduled', plannedDate: '2026-12-05', channels: ['web'], title: 'Both' })
    ).name;
    for (let i = 1; i <= 2; i++) {
      const it = await createWorkItem(h.deps, SYSTEM_ACTOR, {
        kind: 'IR',
        helpdeskRef: `HD-${i}`,
        title: `Item ${i}`,
        elements: [{ type: 'class', name: `CMS.Switch${i}` }],
      });
      await assignWorkItem(h.deps, SYSTEM_ACTOR, { key: it.key }, { release, move: false });
    }
    const login = await fast.inject({ method: 'POST', url: '/api/v1/session', payload: { username: 'admin', password: ADMIN_PASSWORD } });
    expect(login.statusCode).toBe(200);
    cookie = String(login.headers['set-cookie']).split(';')[0] ?? '';
  });
  afterAll(async () => {
    await fast?.close();
    await slow?.close();
    await slowDb?.close();
    await h?.close();
  });

  const answers = async (url: string, headers: Record<string, string>) => {
    const [a, b] = await Promise.all([fast.inject({ method: 'GET', url, headers }), slow.inject({ method: 'GET', url, headers })]);
    return { fast: { status: a.statusCode, body: a.json<Record<string, unknown>>() }, slow: { status: b.statusCode, body: b.json() } };
  };
  const same = async (url: string, headers: Record<string, string>, status: number) => {
    const r = await answers(url, headers);
    expect(r.fast.status).toBe(status);
    // Problems carry the request's own id; everything else must match.
    const strip = (body: Record<string, unknown>) => ({ ...body, requestId: undefined });
    expect(strip(r.fast.body)).toEqual(strip(r.slow.body as Record<string, unknown>));
    expect(r.slow.status).toBe(status);
    return r.fast.body;
  };

  it('reads of releases, items, applications and the caller', async () => {
    const detail = await same(`/api/v1/releases/${release}`, bearer(token), 200);
    expect((detail.items as unknown[]).length).toBe(2);
    await same(`/api/v1/releases/${release.toLowerCase()}`, bearer(token), 200);
    await same('/api/v1/releases', bearer(token), 200);
    await same('/api/v1/items', bearer(token), 200);
    await same('/api/v1/applications', bearer(token), 200);
    await same('/api/v1/session', { cookie }, 200);
    await same('/api/v1/session', bearer(token), 200);
  });

  it('refusals: an unknown release, an unknown application, a bad token', async () => {
    await same('/api/v1/releases/NOPE999', bearer(token), 404);
    await same(`/api/v1/releases/${release}?app=nope`, bearer(token), 404);
    await same(`/api/v1/releases/${release}`, bearer('rmt_not-a-real-token-at-all-000000'), 401);
  });

  it('a write through one is read by both at once', async () => {
    const before = await same(`/api/v1/releases/${release}`, bearer(token), 200);
    const res = await slow.inject({
      method: 'PATCH',
      url: `/api/v1/releases/${release}`,
      headers: { ...bearer(token), 'content-type': 'application/json' },
      payload: { title: 'Changed on the other server', version: before.version },
    });
    expect(res.statusCode).toBe(200);
    // The fast server's release cache was filled by the read above; another process's write may take up to
    // the cache's TTL to show there, so drop it as that TTL would.
    h.deps.caches.releases.clear();
    const after = await same(`/api/v1/releases/${release}`, bearer(token), 200);
    expect(after.title).toBe('Changed on the other server');
  });

  it.runIf(name === 'sqlite')('the read connection sees committed rows only, never an open transaction’s', async () => {
    const ctx = await getRelease(h.deps, { name: release });
    const { application_id: appId } = await h.deps.database.kysely
      .selectFrom('releases')
      .select('application_id')
      .where('name', '=', release)
      .executeTakeFirstOrThrow();
    // The transaction stays open while the read connection reads from outside it.
    let updated!: () => void;
    const wasUpdated = new Promise<void>((resolve) => (updated = resolve));
    let checked!: () => void;
    const wasChecked = new Promise<void>((resolve) => (checked = resolve));
    const open = h.deps.database.transaction(async ({ db }) => {
      await db.updateTable('releases').set({ title: 'uncommitted' }).where('name', '=', release).execute();
      expect((await releaseByName(db, appId, release))?.title).toBe('uncommitted');
      // Inside the transaction the outer handle (and so the read connection) is refused.
      await expect(releaseByName(h.deps.database.kysely, appId, release)).rejects.toBeInstanceOf(TransactionMisuseError);
      updated();
      await wasChecked;
    });
    await wasUpdated;
    expect((await releaseByName(h.deps.database.kysely, appId, release))?.title).toBe(ctx.title);
    checked();
    await open;
    expect((await releaseByName(h.deps.database.kysely, appId, release))?.title).toBe('uncommitted');
  });
});
