import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  ConflictError,
  ForbiddenError,
  StaleVersionError,
  TemplateInvalidError,
  UnauthenticatedError,
  ValidationError,
} from '../../src/domain/errors.js';
import { SequenceExhaustedError } from '../../src/domain/naming.js';
import { SYSTEM_ACTOR, type Actor } from '../../src/services/actor.js';
import { createApplication } from '../../src/services/applications.js';
import { appendAuditEvents, auditHash, verifyAudit } from '../../src/services/audit.js';
import { createToken, login, logout, revokeToken } from '../../src/services/auth.js';
import type { ServiceDeps } from '../../src/services/deps.js';
import { createRelease, updateRelease } from '../../src/services/releases.js';
import { publishTemplate } from '../../src/services/templates.js';
import { addUser, changeOwnPassword, updateUser } from '../../src/services/users.js';
import { assignWorkItem, createWorkItem, updateWorkItem } from '../../src/services/work-items.js';
import { dialects } from '../support/databases.js';
import { harness, userWith, type Harness } from '../support/harness.js';
import {
  auditEvents,
  auditRows,
  lastAuditSeq,
  rejectsWith,
  releaseCounterScope,
  releaseInput,
  REVIEWED,
  rowCount,
  templateYaml,
} from '../support/service-fixtures.js';

const PASSWORD = 'correct horse battery staple';

describe.each(dialects)('audit trail ($name)', ({ name }) => {
  let h: Harness;
  let deps: ServiceDeps;
  let dev: Actor;

  beforeEach(async () => {
    h = await harness(name);
    deps = h.deps;
    dev = { ...(await userWith(deps, ['developer', 'technical-lead'], 'dana')).actor, requestId: 'req-42' };
  });
  afterEach(async () => h.close());

  /** Runs one write and returns its result with the audit events it appended. */
  async function writes<T>(fn: () => Promise<T>): Promise<{ result: T; events: Awaited<ReturnType<typeof auditEvents>> }> {
    const before = await lastAuditSeq(deps);
    const result = await fn();
    const events = await auditEvents(deps, before);
    expect(events.map((e) => e.seq)).toEqual(events.map((_, i) => before + i + 1));
    return { result, events };
  }

  it('bootstrap and user creation start a chain that verifies', async () => {
    const events = await auditEvents(deps);
    expect(events.map((e) => [e.seq, e.action, e.actor, e.subject])).toEqual([
      [1, 'template.publish', 'system', 'template:cms-net@1'],
      [2, 'application.create', 'system', 'application:cms-net'],
      [3, 'user.create', 'system', 'user:admin'],
      [4, 'user.create', 'system', 'user:dana'],
      [5, 'token.create', 'system', `token:${events[4]?.after.id}`],
    ]);
    const rows = await auditRows(deps);
    expect(rows[0]?.prev_hash).toBe('0'.repeat(64));
    rows.slice(1).forEach((r, i) => expect(r.prev_hash).toBe(rows[i]?.hash));
    expect(await verifyAudit(deps.database.kysely)).toEqual({ ok: true, events: 5, headHash: rows[4]?.hash });
    for (const batch of [1, 2, 3]) expect(await verifyAudit(deps.database.kysely, batch)).toMatchObject({ ok: true, events: 5 });
  });

  it('release and work-item writes leave exactly one event each, with before and after', async () => {
    const created = await writes(() => createRelease(deps, dev, releaseInput({ title: 'one' })));
    expect(created.events).toEqual([
      {
        seq: 6,
        action: 'release.create',
        actor: 'dana',
        subject: 'release:cms-net/CFIS001',
        before: null,
        after: created.result,
        requestId: 'req-42',
      },
    ]);
    const updated = await writes(() => updateRelease(deps, dev, { name: 'CFIS001' }, { title: 'two' }));
    expect(updated.events).toEqual([
      expect.objectContaining({ action: 'release.update', actor: 'dana', before: created.result, after: updated.result }),
    ]);
    expect(updated.events[0]?.before.title).toBe('one');
    expect(updated.events[0]?.after.title).toBe('two');

    const item = await writes(() => createWorkItem(deps, dev, { kind: 'IR', helpdeskRef: 'HD-1', title: 'x' }));
    expect(item.events).toEqual([
      expect.objectContaining({ action: 'item.create', subject: 'item:cms-net/IR-1', before: null, after: item.result }),
    ]);
    const itemUpd = await writes(() => updateWorkItem(deps, dev, { key: 'IR-1' }, { priority: 'high' }));
    expect(itemUpd.events).toEqual([expect.objectContaining({ action: 'item.update', before: item.result, after: itemUpd.result })]);

    await createRelease(deps, dev, releaseInput());
    let previous = itemUpd.result;
    for (const [release, move, action] of [
      ['CFIS001', false, 'item.attach'],
      ['CFIS002', true, 'item.move'],
      [null, false, 'item.detach'],
    ] as const) {
      const step = await writes(() => assignWorkItem(deps, dev, { key: 'IR-1' }, { release, move }));
      expect(step.events).toEqual([
        expect.objectContaining({ action, actor: 'dana', subject: 'item:cms-net/IR-1', before: previous, after: step.result }),
      ]);
      expect(step.events[0]?.after.release).toBe(release);
      previous = step.result;
    }
    expect((await verifyAudit(deps.database.kysely)).ok).toBe(true);
  });

  it('administration, token and session writes leave exactly one event each', async () => {
    const yaml = templateYaml((doc) => {
      doc['calendar'].changeCycleDays = ['friday'];
    });
    const tpl = await writes(() => publishTemplate(deps, SYSTEM_ACTOR, { yaml, changes: 'Fridays', ...REVIEWED }));
    const { dryRun: _dry, notices: _notices, ...summary } = tpl.result;
    expect(tpl.events).toEqual([
      expect.objectContaining({ action: 'template.publish', actor: 'system', subject: 'template:cms-net@2', before: null, after: summary }),
    ]);
    const app = await writes(() =>
      createApplication(deps, SYSTEM_ACTOR, { key: 'd', name: 'D', templateKey: 'cms-net', namingParameters: { system: 'D' } }),
    );
    expect(app.events).toEqual([expect.objectContaining({ action: 'application.create', subject: 'application:d', after: app.result })]);

    const user = await writes(() => addUser(deps, SYSTEM_ACTOR, { username: 'alice', roles: ['cmc'], password: PASSWORD }));
    expect(user.events).toEqual([
      expect.objectContaining({ action: 'user.create', subject: 'user:alice', before: null, after: user.result }),
    ]);
    const upd = await writes(() => updateUser(deps, SYSTEM_ACTOR, 'alice', { displayName: 'Alice', password: 'another long password' }));
    expect(upd.events).toEqual([
      expect.objectContaining({ action: 'user.update', before: user.result, after: { ...upd.result, passwordChanged: true } }),
    ]);
    const hashes = await deps.database.kysely.selectFrom('users').select('password_hash').execute();
    const dump = JSON.stringify(await auditRows(deps));
    for (const { password_hash } of hashes) expect(dump).not.toContain(password_hash);
    expect(dump).not.toContain('another long password');

    const session = await writes(() =>
      login(deps, { username: 'alice', password: 'another long password', ttlHours: 8, requestId: 'req-7' }),
    );
    expect(session.events).toEqual([
      expect.objectContaining({
        action: 'session.create',
        actor: 'alice',
        subject: 'user:alice',
        after: { expiresAt: session.result.expiresAt },
        requestId: 'req-7',
      }),
    ]);
    expect(dump).not.toContain(session.result.sessionId);
    const alice = session.result.actor;
    const pw = await writes(() => changeOwnPassword(deps, alice, 'another long password', 'a third long password'));
    expect(pw.events).toEqual([
      expect.objectContaining({ action: 'user.password', actor: 'alice', after: { passwordChanged: true, otherSessionsEnded: true } }),
    ]);

    const token = await writes(() => createToken(deps, alice, { name: 'ci' }));
    const { token: secret, ...tokenView } = token.result;
    expect(token.events).toEqual([
      expect.objectContaining({ action: 'token.create', actor: 'alice', subject: `token:${tokenView.id}`, after: tokenView }),
    ]);
    const revoked = await writes(() => revokeToken(deps, alice, tokenView.id));
    expect(revoked.events).toEqual([expect.objectContaining({ action: 'token.revoke', before: tokenView, after: revoked.result })]);
    const out = await writes(() => logout(deps, alice, session.result.sessionId));
    expect(out.events).toEqual([
      expect.objectContaining({ action: 'session.delete', actor: 'alice', subject: 'user:alice', before: null, after: null }),
    ]);
    expect(JSON.stringify(await auditRows(deps))).not.toContain(secret.slice(4));
    expect((await verifyAudit(deps.database.kysely)).ok).toBe(true);
  });

  it('a refused write leaves no event', async () => {
    await createRelease(deps, dev, releaseInput());
    await createWorkItem(deps, dev, { kind: 'IR', helpdeskRef: 'HD-1', title: 'x' });
    await assignWorkItem(deps, dev, { key: 'IR-1' }, { release: 'CFIS001' });
    const viewer = (await userWith(deps, ['viewer'])).actor;
    const admin = (await login(deps, { username: 'admin', password: 'admin-password-for-tests', ttlHours: 8 })).actor;
    const token = await createToken(deps, dev, {});
    await revokeToken(deps, dev, token.id);
    const seq = await lastAuditSeq(deps);
    const releases = await rowCount(deps, 'releases');

    await rejectsWith(createRelease(deps, viewer, releaseInput()), ForbiddenError);
    await rejectsWith(createRelease(deps, dev, releaseInput({ channels: ['nope'] })), ValidationError);
    const scope = await releaseCounterScope(deps, 'cms-net');
    await deps.database.kysely.updateTable('counters').set({ value: 999 }).where('scope', '=', scope).execute();
    await rejectsWith(createRelease(deps, dev, releaseInput()), SequenceExhaustedError);
    await deps.database.kysely.updateTable('counters').set({ value: 1 }).where('scope', '=', scope).execute();
    await rejectsWith(updateRelease(deps, dev, { name: 'CFIS001' }, { title: 't', expectedVersion: 7 }), StaleVersionError);
    await rejectsWith(createWorkItem(deps, dev, { kind: 'XX', helpdeskRef: 'h', title: 't' }), ValidationError);
    await rejectsWith(
      createRelease(deps, dev, releaseInput()).then(() => assignWorkItem(deps, dev, { key: 'IR-1' }, { release: 'CFIS002' })),
      ConflictError,
    );
    await rejectsWith(publishTemplate(deps, SYSTEM_ACTOR, { yaml: 'key: [', changes: 'x' }), TemplateInvalidError);
    await rejectsWith(publishTemplate(deps, dev, { yaml: 'key: x', changes: 'x' }), ForbiddenError);
    await rejectsWith(createApplication(deps, SYSTEM_ACTOR, { key: 'cms-net', name: 'again', templateKey: 'cms-net' }), ConflictError);
    await rejectsWith(addUser(deps, SYSTEM_ACTOR, { username: 'dana', roles: ['cmc'] }), ConflictError);
    await rejectsWith(updateUser(deps, admin, 'admin', { disabled: true }), ConflictError);
    await rejectsWith(revokeToken(deps, dev, token.id), ConflictError);
    await rejectsWith(login(deps, { username: 'dana', password: 'wrong password!', ttlHours: 8 }), UnauthenticatedError);

    // The one successful create in the middle (CFIS002) is the only new event.
    const events = await auditEvents(deps, seq);
    expect(events.map((e) => [e.seq, e.action, e.subject])).toEqual([[seq + 1, 'release.create', 'release:cms-net/CFIS002']]);
    expect(await rowCount(deps, 'releases')).toBe(releases + 1);
    expect(await verifyAudit(deps.database.kysely)).toMatchObject({ ok: true, events: seq + 1 });
  });

  it('a transaction rolled back after appending leaves no event, runs no hook, and the chain still verifies', async () => {
    const before = await verifyAudit(deps.database.kysely);
    if (!before.ok) throw new Error('chain should verify');
    let hookRan = false;
    await expect(
      deps.database.transaction(async (tx) => {
        tx.onCommit(() => {
          hookRan = true;
        });
        const [e] = await appendAuditEvents(tx.db, [
          {
            actor: dev,
            at: new Date(),
            action: 'test.rollback',
            subjectType: 'test',
            subjectId: 'x',
            after: { n: 1 },
          },
        ]);
        expect(e?.seq).toBe(before.events + 1);
        expect(e?.prev_hash).toBe(before.headHash);
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
    expect(hookRan).toBe(false);
    expect(await rowCount(deps, 'audit_events')).toBe(before.events);
    expect(await deps.database.kysely.selectFrom('audit_head').select(['seq', 'hash']).executeTakeFirst()).toEqual({
      seq: before.events,
      hash: before.headHash,
    });
    expect(await verifyAudit(deps.database.kysely)).toEqual(before);

    const next = await writes(() => createRelease(deps, dev, releaseInput()));
    expect(next.events.map((e) => e.seq)).toEqual([before.events + 1]);
    expect((await auditRows(deps, before.events))[0]?.prev_hash).toBe(before.headHash);
    expect((await verifyAudit(deps.database.kysely)).ok).toBe(true);
  });

  describe('tampering is detected', () => {
    const kysely = () => deps.database.kysely;
    const verify = (batchSize?: number) => verifyAudit(kysely(), batchSize);
    const eventAt = async (seq: number) => kysely().selectFrom('audit_events').selectAll().where('seq', '=', seq).executeTakeFirstOrThrow();

    // Five events from the harness and `dana`, three releases: a chain of eight.
    beforeEach(async () => {
      for (let i = 0; i < 3; i++) await createRelease(deps, dev, releaseInput());
      expect(await verify()).toMatchObject({ ok: true, events: 8 });
    });

    it('(a) an edited event fails verification, naming that event', async () => {
      const victim = await eventAt(7);
      const after = JSON.parse(victim.after_json ?? '{}');
      await kysely()
        .updateTable('audit_events')
        .set({ after_json: JSON.stringify({ ...after, title: 'rewritten' }) })
        .where('seq', '=', 7)
        .execute();
      for (const batch of [1000, 3]) {
        const v = await verify(batch);
        expect(v).toMatchObject({ ok: false, events: 6, seq: 7, eventId: victim.id });
        expect(v.ok || v.reason).toContain('altered');
      }
    });

    it('(a) an edited event whose hash was recomputed breaks the link of the next one', async () => {
      const victim = await eventAt(4);
      const { hash: _old, ...rest } = { ...victim, actor: 'mallory' };
      await kysely()
        .updateTable('audit_events')
        .set({ actor: 'mallory', hash: auditHash(rest) })
        .where('seq', '=', 4)
        .execute();
      const next = await eventAt(5);
      const v = await verify();
      expect(v).toMatchObject({ ok: false, seq: 5, eventId: next.id });
      expect(v.ok || v.reason).toContain('link to the previous event');
    });

    it('(b) a deleted middle event fails verification, naming the missing seq', async () => {
      await kysely().deleteFrom('audit_events').where('seq', '=', 4).execute();
      for (const batch of [1000, 3, 1]) {
        const v = await verify(batch);
        expect(v).toMatchObject({ ok: false, events: 3, seq: 4, eventId: null });
        expect(v.ok || v.reason).toBe('event 4 is missing (deleted)');
      }
      await kysely().deleteFrom('audit_events').where('seq', '=', 5).execute();
      const v = await verify();
      expect(v).toMatchObject({ ok: false, seq: 4 });
      expect(v.ok || v.reason).toBe('events 4-5 are missing (deleted)');
    });

    it('(c) a deleted last event fails verification although the rest of the chain is intact', async () => {
      await kysely().deleteFrom('audit_events').where('seq', '=', 8).execute();
      const v = await verify();
      expect(v).toMatchObject({ ok: false, events: 7, seq: 8, eventId: null });
      expect(v.ok || v.reason).toContain('deleted from the end');
    });

    it('(d) a forged event appended without moving the head fails verification', async () => {
      const last = await eventAt(8);
      const forged = {
        seq: 9,
        id: '00000000-0000-4000-8000-000000000009',
        at: new Date().toISOString(),
        actor: 'mallory',
        action: 'release.create',
        subject_type: 'release',
        subject_id: 'cms-net/CFIS999',
        before_json: null,
        after_json: '{"name":"CFIS999"}',
        request_id: null,
        prev_hash: last.hash,
      };
      await kysely()
        .insertInto('audit_events')
        .values({ ...forged, hash: auditHash(forged) })
        .execute();
      const v = await verify();
      expect(v).toMatchObject({ ok: false, events: 9, seq: 9 });
      expect(v.ok || v.reason).toContain('inserted');
    });

    it('(e) a forged event with a moved head but a wrong link fails verification, naming it', async () => {
      const forged = {
        seq: 9,
        id: '00000000-0000-4000-8000-000000000009',
        at: new Date().toISOString(),
        actor: 'mallory',
        action: 'user.update',
        subject_type: 'user',
        subject_id: 'mallory',
        before_json: null,
        after_json: '{"roles":["admin"]}',
        request_id: null,
        prev_hash: 'f'.repeat(64),
      };
      const hash = auditHash(forged);
      await kysely()
        .insertInto('audit_events')
        .values({ ...forged, hash })
        .execute();
      await kysely().updateTable('audit_head').set({ seq: 9, hash }).where('id', '=', 1).execute();
      const v = await verify();
      expect(v).toMatchObject({ ok: false, events: 8, seq: 9, eventId: forged.id });
      expect(v.ok || v.reason).toContain('link to the previous event');
    });

    it('a replaced last event (content and hash rewritten, head untouched) fails verification, naming it', async () => {
      const last = await eventAt(8);
      const { hash: _old, ...rest } = { ...last, subject_id: 'cms-net/CFIS777' };
      await kysely()
        .updateTable('audit_events')
        .set({ subject_id: 'cms-net/CFIS777', hash: auditHash(rest) })
        .where('seq', '=', 8)
        .execute();
      const v = await verify();
      expect(v).toMatchObject({ ok: false, seq: 8, eventId: last.id });
      expect(v.ok || v.reason).toContain('does not match the recorded head');
    });

    it('a missing head row fails verification', async () => {
      await kysely().deleteFrom('audit_head').execute();
      const v = await verify();
      expect(v).toMatchObject({ ok: false, events: 8 });
      expect(v.ok || v.reason).toContain('head row is missing');
    });
  });
});
