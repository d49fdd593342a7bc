import { ForbiddenError } from '../domain/errors.js';
import { canPerform, rolesAllowed, SYSTEM_ROLES, type AppAction } from '../domain/permissions.js';
import type { ProcessTemplate } from '../domain/template/schema.js';
import type { Actor } from './actor.js';

/** Application-level actions are granted by the template the application runs under. */
export function requireAppAction(template: ProcessTemplate, actor: Actor, action: AppAction): void {
  if (!canPerform(template, actor.roles, action)) throw new ForbiddenError(action, rolesAllowed(template, action));
}

/** Users, templates and applications are administered by the admin role only. */
export function requireAdmin(actor: Actor, action: string): void {
  if (!actor.roles.includes(SYSTEM_ROLES.admin)) throw new ForbiddenError(action, [SYSTEM_ROLES.admin]);
}

export function isAdmin(actor: Actor): boolean {
  return actor.roles.includes(SYSTEM_ROLES.admin);
}
