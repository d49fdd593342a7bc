import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TransactionMisuseError } from '../../src/db/database.js';
import { SYSTEM_ACTOR } from '../../src/services/actor.js';
import { createApplication } from '../../src/services/applications.js';
import { verifyAudit } from '../../src/services/audit.js';
import { write } from '../../src/services/write.js';
import { dialects } from '../support/databases.js';
import { harness, type Harness } from '../support/harness.js';
import { auditRows } from '../support/service-fixtures.js';

describe.each(dialects)('one write path ($name)', ({ name }) => {
  let h: Harness;
  beforeAll(async () => {
    h = await harness(name);
  });
  afterAll(async () => {
    await h.close();
  });

  it('appends the collected events, chained and in order, as the last thing before commit', async () => {
    const before = (await auditRows(h.deps)).length;
    const order: string[] = [];
    const result = await write(h.deps, SYSTEM_ACTOR, async (tx) => {
      tx.audit({ action: 'application.create', subjectType: 'application', subjectId: 'first', after: sampleApp('first') });
      // Nothing is appended while the write runs: the head is not locked yet.
      order.push(`events during the write: ${(await tx.db.selectFrom('audit_events').select('seq').execute()).length - before}`);
      return tx.audit({ action: 'application.create', subjectType: 'application', subjectId: 'second', after: sampleApp('second') }, 42);
    });
    expect(result).toBe(42);
    expect(order).toEqual(['events during the write: 0']);
    const rows = (await auditRows(h.deps)).slice(before);
    expect(rows.map((r) => [r.action, r.subject_id, r.actor])).toEqual([
      ['application.create', 'first', 'system'],
      ['application.create', 'second', 'system'],
    ]);
    expect(rows[1]!.prev_hash).toBe(rows[0]!.hash);
    expect(await verifyAudit(h.deps.database.kysely)).toMatchObject({ ok: true });
  });

  it('keeps no event and runs no hook when the write throws', async () => {
    const before = (await auditRows(h.deps)).length;
    let hookRan = false;
    await expect(
      write(h.deps, SYSTEM_ACTOR, (tx) => {
        tx.onCommit(() => {
          hookRan = true;
        });
        tx.audit({ action: 'application.create', subjectType: 'application', subjectId: 'gone', after: sampleApp('gone') });
        return Promise.reject(new Error('boom'));
      }),
    ).rejects.toThrow('boom');
    expect(hookRan).toBe(false);
    expect(await auditRows(h.deps)).toHaveLength(before);
  });

  it('runs onCommit hooks after the events are committed; a hook may start its own write', async () => {
    const seen: number[] = [];
    const { template_key: templateKey } = await h.deps.database.kysely
      .selectFrom('applications')
      .select('template_key')
      .executeTakeFirstOrThrow();
    await write(h.deps, SYSTEM_ACTOR, (tx) => {
      tx.onCommit(async () => {
        seen.push((await auditRows(h.deps)).length);
        await createApplication(h.deps, SYSTEM_ACTOR, { key: `hooked-${name}`, name: 'Hooked', templateKey });
      });
      return Promise.resolve(
        tx.audit({ action: 'application.create', subjectType: 'application', subjectId: 'x', after: sampleApp('x') }, null),
      );
    });
    expect(seen).toHaveLength(1);
    expect((await auditRows(h.deps)).at(-1)?.subject_id).toBe(`hooked-${name}`);
  });

  it('refuses a nested transaction instead of waiting forever', async () => {
    const err = await h.deps.database
      .transaction(() => h.deps.database.transaction(() => Promise.resolve(1)))
      .then(
        () => null,
        (e: unknown) => e,
      );
    expect(err).toBeInstanceOf(TransactionMisuseError);
    expect((err as Error).message).toMatch(/nested transaction/);
  });

  it('refuses a query through the outer handle inside a transaction, and allows it again after', async () => {
    const err = await h.deps.database
      .transaction(() => h.deps.database.kysely.selectFrom('users').select('id').execute())
      .then(
        () => null,
        (e: unknown) => e,
      );
    expect(err).toBeInstanceOf(TransactionMisuseError);
    expect((err as Error).message).toMatch(/outer database handle/);
    expect((await h.deps.database.kysely.selectFrom('users').select('id').execute()).length).toBeGreaterThan(0);
  });
});

function sampleApp(key: string) {
  return {
    key,
    name: key,
    template: { key: 'default', version: 1 },
    namingParameters: {},
    isDefault: false,
    createdAt: '2030-01-01T00:00:00.000Z',
  };
}
