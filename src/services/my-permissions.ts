import { APP_ACTIONS, canPerform, type AppAction } from '../domain/permissions.js';
import type { Actor } from './actor.js';
import { resolveApplicationForRead } from './applications.js';
import { isAdmin } from './authorize.js';
import type { ServiceDeps } from './deps.js';

export type MyPermissions = { app: string; roles: string[]; admin: boolean; actions: AppAction[] };

/**
 * What the caller may do in an application, so an interface shows only the
 * actions the server would accept. The server still checks every write.
 */
export async function myPermissions(deps: ServiceDeps, actor: Actor, appKey?: string): Promise<MyPermissions> {
  const ctx = await resolveApplicationForRead(deps, appKey);
  return {
    app: ctx.app.key,
    roles: [...actor.roles],
    admin: isAdmin(actor),
    actions: APP_ACTIONS.filter((action) => canPerform(ctx.template, actor.roles, action)),
  };
}
