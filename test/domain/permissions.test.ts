import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { parse as parseYaml } from 'yaml';
import { APP_ACTIONS, canPerform, isAppAction, rolesAllowed, SYSTEM_ROLES, type AppAction } from '../../src/domain/permissions.js';
import { parseTemplateYaml, validateTemplate } from '../../src/domain/template/parse.js';
import type { ProcessTemplate } from '../../src/domain/template/schema.js';

const DEFAULT_YAML = readFileSync(new URL('../../templates/cms-net.yaml', import.meta.url), 'utf8');

function load(): ProcessTemplate {
  const result = parseTemplateYaml(DEFAULT_YAML);
  if (!result.ok) throw new Error(JSON.stringify(result.problems));
  return result.template;
}

const template = load();
const roleIds = template.roles.map((r) => r.id);
const grantable = roleIds.filter((id) => id !== SYSTEM_ROLES.viewer);

describe('rolesAllowed', () => {
  it('reads the grants from the template', () => {
    expect(rolesAllowed(template, 'release.create')).toEqual(['cmc', 'technical-lead', 'developer', 'admin']);
    expect(rolesAllowed(template, 'item.assign')).toEqual(['cmc', 'technical-lead', 'admin']);
  });

  it('returns a copy the caller cannot use to change the template', () => {
    rolesAllowed(template, 'item.assign').push('viewer');
    expect(rolesAllowed(template, 'item.assign')).not.toContain('viewer');
  });

  it('never yields viewer, even for a template that skipped validation', () => {
    const tampered: ProcessTemplate = {
      ...template,
      permissions: { ...template.permissions, 'item.update': ['viewer', 'developer'] },
    };
    expect(rolesAllowed(tampered, 'item.update')).toEqual(['developer']);
    expect(canPerform(tampered, ['viewer'], 'item.update')).toBe(false);
  });
});

describe('canPerform', () => {
  it('follows the default template', () => {
    expect(canPerform(template, ['cmc'], 'item.assign')).toBe(true);
    expect(canPerform(template, ['developer'], 'item.assign')).toBe(false);
    expect(canPerform(template, ['developer', 'technical-lead'], 'item.assign')).toBe(true);
    expect(canPerform(template, ['deployment'], 'release.create')).toBe(false);
    expect(canPerform(template, [], 'release.create')).toBe(false);
    expect(canPerform(template, ['unknown-role'], 'release.create')).toBe(false);
  });

  it('gives the viewer nothing', () => {
    for (const action of APP_ACTIONS) {
      expect(canPerform(template, [SYSTEM_ROLES.viewer], action)).toBe(false);
    }
  });

  it('is true exactly when one of the user roles is granted the action', () => {
    fc.assert(
      fc.property(fc.subarray(roleIds), fc.constantFrom(...APP_ACTIONS), (roles, action) => {
        const allowed = rolesAllowed(template, action);
        expect(canPerform(template, roles, action)).toBe(roles.some((r) => allowed.includes(r)));
      }),
    );
  });
});

describe('permissions in template validation', () => {
  const permissionsArb = fc.record(
    Object.fromEntries(APP_ACTIONS.map((a) => [a, fc.subarray(grantable)])) as Record<AppAction, fc.Arbitrary<string[]>>,
  );

  it('accepts any grants of declared, non-viewer roles and applies them', () => {
    fc.assert(
      fc.property(permissionsArb, fc.subarray(roleIds), (permissions, userRoles) => {
        const doc = { ...(parseYaml(DEFAULT_YAML) as Record<string, unknown>), permissions };
        const result = validateTemplate(doc);
        expect(result.ok).toBe(true);
        if (!result.ok) return;
        for (const action of APP_ACTIONS) {
          expect(rolesAllowed(result.template, action)).toEqual(permissions[action]);
          expect(canPerform(result.template, userRoles, action)).toBe(userRoles.some((r) => permissions[action].includes(r)));
        }
      }),
      { numRuns: 50 },
    );
  });

  it('refuses any template that grants the viewer an action', () => {
    fc.assert(
      fc.property(permissionsArb, fc.constantFrom(...APP_ACTIONS), fc.nat(), (permissions, action, at) => {
        const granted = [...permissions[action]];
        granted.splice(at % (granted.length + 1), 0, SYSTEM_ROLES.viewer);
        const doc = {
          ...(parseYaml(DEFAULT_YAML) as Record<string, unknown>),
          permissions: { ...permissions, [action]: granted },
        };
        const result = validateTemplate(doc);
        expect(result.ok).toBe(false);
        if (result.ok) return;
        expect(result.problems).toEqual([
          {
            path: `permissions["${action}"][${granted.indexOf(SYSTEM_ROLES.viewer)}]`,
            message: 'the "viewer" role is read-only and cannot be granted actions',
          },
        ]);
      }),
      { numRuns: 50 },
    );
  });
});

describe('isAppAction', () => {
  it('recognises exactly the declared actions', () => {
    for (const action of APP_ACTIONS) expect(isAppAction(action)).toBe(true);
    for (const other of ['release.delete', '', 'RELEASE.CREATE', 1, null]) expect(isAppAction(other)).toBe(false);
  });
});
