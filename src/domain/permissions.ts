import type { ProcessTemplate } from './template/schema.js';

/** Application-level actions whose allowed roles come from the process template. */
export const APP_ACTIONS = [
  'release.create',
  'release.update',
  'item.create',
  'item.update',
  'item.assign',
  'package.record',
  'test.record',
  'issue.raise',
  'issue.resolve',
  'notification.record',
  'calendar.manage',
  'blackout.override',
  'checklist.complete',
  'checklist.waive',
  'contacts.manage',
  'mail.send',
] as const;
export type AppAction = (typeof APP_ACTIONS)[number];

/**
 * Roles every template must declare. Their meaning is fixed by relman rather than
 * by the template: `admin` manages users, templates and applications, and
 * `viewer` reads everything and changes nothing, so a template may not grant
 * `viewer` any action.
 */
export const SYSTEM_ROLES = { admin: 'admin', viewer: 'viewer' } as const;
export type SystemRole = (typeof SYSTEM_ROLES)[keyof typeof SYSTEM_ROLES];

export function isAppAction(value: unknown): value is AppAction {
  return typeof value === 'string' && (APP_ACTIONS as readonly string[]).includes(value);
}

export function rolesAllowed(template: ProcessTemplate, action: AppAction): string[] {
  const allowed = Object.hasOwn(template.permissions, action) ? template.permissions[action] : [];
  // Validation already refuses viewer grants; filtering again keeps a template
  // that bypassed validation from widening read-only access.
  return allowed.filter((role) => role !== SYSTEM_ROLES.viewer);
}

export function canPerform(template: ProcessTemplate, userRoles: readonly string[], action: AppAction): boolean {
  const allowed = rolesAllowed(template, action);
  return userRoles.some((role) => allowed.includes(role));
}
