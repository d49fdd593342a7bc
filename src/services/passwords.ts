import { hash, verify } from '@node-rs/argon2';
import type { Db, Trx } from '../db/database.js';
import { recentPasswordHashes } from '../db/repositories/password-history.js';
import { ValidationError, type FieldProblem } from '../domain/errors.js';
import { PASSWORD_HISTORY_SIZE, passwordProblems, reusedPasswordProblem } from '../domain/password-policy.js';
import { commonPasswords } from './common-passwords.js';

// argon2id (the library default algorithm) with OWASP's minimum parameters.
const OWASP = { memoryCost: 19456, timeCost: 2, parallelism: 1 } as const;
let options: { memoryCost: number; timeCost: number; parallelism: number } = OWASP;

/**
 * The test suite's own switch (vitest setup only; nothing in relman calls it):
 * new hashes use the smallest argon2id parameters, so the thousands of users
 * the tests create do not each cost a real hash. Refused outside vitest.
 * Verifying is unchanged: every hash carries its own parameters.
 */
export function useCheapPasswordHashesInTests(): void {
  if (process.env.VITEST === undefined) throw new Error('cheap password hashes are for the test suite only');
  options = { memoryCost: 8, timeCost: 1, parallelism: 1 };
}

export function hashPassword(password: string): Promise<string> {
  return hash(password, options);
}

let dummy: Promise<string> | undefined;

/** Verifies; for an unknown user it still spends the time of one verification. */
export async function verifyPassword(stored: string | null, password: string): Promise<boolean> {
  if (stored === null) {
    dummy ??= hashPassword('relman-timing-equaliser');
    await verify(await dummy, password).catch(() => false);
    return false;
  }
  try {
    return await verify(stored, password);
  } catch {
    return false;
  }
}

export type PasswordOwner = {
  username: string;
  /** An existing user: the new password may not be their current or a recent one. */
  user?: { id: string; password_hash: string | null } | undefined;
};

/** The rules of the password policy (src/domain/password-policy.ts) a new password breaks. */
export async function policyProblems(password: string, username: string, path = 'password'): Promise<FieldProblem[]> {
  const common = await commonPasswords();
  return passwordProblems(password, { username, isCommon: (p) => common.has(p) }, path);
}

/**
 * Refuses a new password that breaks the password policy (src/domain/password-policy.ts)
 * or repeats one of the user's last passwords, naming every rule it breaks.
 */
export async function checkNewPassword(db: Db | Trx, password: string, owner: PasswordOwner, path = 'password'): Promise<void> {
  const problems = await policyProblems(password, owner.username, path);
  if (problems.length === 0 && owner.user) {
    const recent = await recentPasswordHashes(db, owner.user.id, PASSWORD_HISTORY_SIZE);
    // Users created before the history was kept have only their current hash.
    const hashes = new Set([...(owner.user.password_hash === null ? [] : [owner.user.password_hash]), ...recent]);
    for (const h of hashes) {
      if (await verifyPassword(h, password)) {
        problems.push(reusedPasswordProblem(path));
        break;
      }
    }
  }
  if (problems.length > 0) throw new ValidationError(`the password is refused: ${problems.map((p) => p.message).join('; ')}`, problems);
}
