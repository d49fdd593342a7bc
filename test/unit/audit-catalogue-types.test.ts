import { describe, expect, it } from 'vitest';
import type { AuditEvent } from '../../src/domain/audit/catalogue.js';
import type { Audited, WriteTx } from '../../src/services/write.js';

/**
 * The catalogue is checked by the compiler (`npm run lint` type-checks the
 * tests): each `@ts-expect-error` below must stay an error, or lint fails.
 */
describe('audit catalogue types', () => {
  it('accepts an event in its listed shape and refuses others at compile time', () => {
    const after = {
      key: 'a',
      name: 'A',
      template: { key: 'default', version: 1 },
      namingParameters: {},
      isDefault: true,
      createdAt: 'now',
    };
    const ok: AuditEvent = { action: 'application.create', subjectType: 'application', subjectId: 'a', after };
    // @ts-expect-error an action that is not in the catalogue
    const unknownAction: AuditEvent = { action: 'application.explode', subjectType: 'application', subjectId: 'a', after };
    // @ts-expect-error the wrong subject type for the action
    const wrongSubject: AuditEvent = { action: 'application.create', subjectType: 'release', subjectId: 'a', after };
    // @ts-expect-error an `after` of the wrong shape
    const wrongAfter: AuditEvent = { action: 'application.create', subjectType: 'application', subjectId: 'a', after: { key: 1 } };
    // @ts-expect-error a `before` the action does not record
    const strayBefore: AuditEvent = { action: 'application.create', subjectType: 'application', subjectId: 'a', before: after, after };
    expect([ok, unknownAction, wrongSubject, wrongAfter, strayBefore]).toHaveLength(5);
  });

  it('makes a write that forgets its event fail to compile', () => {
    const forgets = async (tx: WriteTx): Promise<Audited<number>> => {
      await tx.db.selectFrom('users').select('id').execute();
      // @ts-expect-error a plain result is not an audited one
      return 1;
    };
    expect(typeof forgets).toBe('function');
  });
});
