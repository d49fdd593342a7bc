import { ConflictError, ValidationError } from './errors.js';

export type UserState = { username: string; disabled: boolean; roles: readonly string[] };

/** Whether the change leaves the user without the power of an active administrator. */
export function takesAwayActiveAdmin(user: UserState, roles: readonly string[] | undefined, disabled: boolean | undefined): boolean {
  const isActiveAdmin = !user.disabled && user.roles.includes('admin');
  return isActiveAdmin && (disabled === true || (roles !== undefined && !roles.includes('admin')));
}

/** relman keeps at least one active administrator. */
export function checkAnAdminRemains(user: UserState, otherActiveAdmins: number): void {
  if (otherActiveAdmins === 0) {
    throw new ConflictError(`"${user.username}" is the last active administrator; make another user an administrator first`, 'last-admin');
  }
}

/** A user keeps at least one role; taking every access away is what disabling is for. */
export function checkRolesGiven(roles: readonly string[] | undefined): void {
  if (roles !== undefined && roles.length === 0) {
    throw new ValidationError('a user keeps at least one role', [
      { path: 'roles', message: 'give the user at least one role (disable the user to take away all access)' },
    ]);
  }
}
