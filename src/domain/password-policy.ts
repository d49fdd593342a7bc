import type { FieldProblem } from './errors.js';

export const MIN_PASSWORD_LENGTH = 12;
/** A new password may not be any of a user's last this-many passwords (the current one included). */
export const PASSWORD_HISTORY_SIZE = 5;

export type PasswordContext = {
  /** The user the password is for; a password equal to it is refused. */
  username: string;
  /** Whether the lower-cased password is on the list of common passwords. */
  isCommon: (lowerCased: string) => boolean;
};

/**
 * Every rule a new password breaks, each named; empty when it is acceptable.
 * Reuse of an earlier password is checked apart (it needs the stored hashes).
 */
export function passwordProblems(password: string, ctx: PasswordContext, path = 'password'): FieldProblem[] {
  if (password.trim() === '') return [{ path, message: 'a password cannot be blank or only spaces' }];
  const problems: FieldProblem[] = [];
  if (password.length < MIN_PASSWORD_LENGTH) problems.push({ path, message: `a password has at least ${MIN_PASSWORD_LENGTH} characters` });
  if (new Set(password).size === 1) problems.push({ path, message: 'a password cannot be a single character repeated' });
  const lower = password.trim().toLowerCase();
  if (lower === ctx.username.trim().toLowerCase()) problems.push({ path, message: 'a password cannot be the username' });
  if (ctx.isCommon(lower)) problems.push({ path, message: 'this password is on a list of common passwords; choose another' });
  return problems;
}

export function reusedPasswordProblem(path = 'password'): FieldProblem {
  return { path, message: `a password cannot be the current one or one of the last ${PASSWORD_HISTORY_SIZE - 1} before it` };
}
