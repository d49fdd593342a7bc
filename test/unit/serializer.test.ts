import { describe, expect, it } from 'vitest';
import type { z } from 'zod';
import { responseSerializerCompiler } from '../../src/http/serializer.js';
import { problemSchema } from '../../src/http/schemas/common.js';
import { releaseDetailSchema, userSchema } from '../../src/http/schemas/views.js';

const compile = (schema: z.ZodType, validate = false) =>
  responseSerializerCompiler(validate)({ schema, method: 'GET', url: '/x', httpStatus: '200' });

const release = {
  name: 'CFIS001',
  application: 'cms-net',
  type: 'scheduled',
  state: 'draft',
  title: 'Quotes " and \\ and ünïcode',
  description: '',
  plannedDate: '2026-12-05',
  channels: ['database', 'web'],
  template: { key: 'cms-net', version: 1 },
  cycle: { date: '2026-12-05', title: 'December cycle', status: 'planned' },
  blackoutOverride: null,
  createdBy: 'admin',
  createdAt: '2026-11-26T00:00:00.000Z',
  updatedAt: '2026-11-26T00:00:00.000Z',
  version: 1,
  items: [
    {
      key: 'IR-1',
      number: 1,
      application: 'cms-net',
      kind: 'IR',
      helpdeskRef: 'HD-1',
      title: 't',
      description: '',
      owner: null,
      priority: 'medium',
      elements: [{ type: 'class', name: 'CMS.Patient' }],
      release: 'CFIS001',
      createdBy: 'admin',
      createdAt: '2026-11-26T00:00:00.000Z',
      updatedAt: '2026-11-26T00:00:00.000Z',
      version: 1,
    },
  ],
};

describe('response serializer', () => {
  it('writes the same JSON as zod for a release with items', () => {
    expect(JSON.parse(compile(releaseDetailSchema)(release))).toEqual(JSON.parse(compile(releaseDetailSchema, true)(release)));
  });

  it('never writes a property the schema does not declare', () => {
    const leaked = { ...release, passwordHash: 'secret', items: [{ ...release.items[0], internal: 1 }] };
    const out = compile(releaseDetailSchema)(leaked);
    expect(out).not.toContain('secret');
    expect(out).not.toContain('internal');
  });

  it('keeps the extra members of a problem document', () => {
    const p = { type: 'urn:relman:problem:forbidden', title: 'Forbidden', status: 403, detail: 'no', allowedRoles: ['cmc'] };
    expect(JSON.parse(compile(problemSchema)(p))).toEqual(p);
  });

  it('writes null for nullable fields', () => {
    const u = { username: 'a', displayName: 'A', email: null, roles: [], disabled: false, createdAt: 'x', updatedAt: 'y' };
    expect(JSON.parse(compile(userSchema)(u))).toEqual(u);
  });

  it('with validation on, refuses a response that does not match its schema', () => {
    expect(() => compile(userSchema, true)({ username: 1 })).toThrow();
  });
});
