import { createHash, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import {
  allTokensWithOwner,
  deleteExpiredSessions,
  deleteSession,
  insertSession,
  insertToken,
  sessionByHash,
  tokenByHash,
  tokenById,
  tokensOfUser,
  updateToken,
  userById,
  userByName,
} from '../db/repositories/users.js';
import type { ApiTokenTable } from '../db/schema.js';
import { ConflictError, ForbiddenError, NotFoundError, UnauthenticatedError } from '../domain/errors.js';
import type { TokenAuditView } from '../domain/audit/access.js';
import type { Actor } from './actor.js';
import { isAdmin } from './authorize.js';
import type { ServiceDeps } from './deps.js';
import { throttleKeys } from '../domain/login-throttle.js';
import { confirmFailure, confirmSuccess, countAttempt } from './login-throttle.js';
import { verifyPassword } from './passwords.js';
import { write } from './write.js';

export const TOKEN_PREFIX = 'rmt_';
/** last_used_at is bookkeeping: written at most this often per token. */
const LAST_USED_GRANULARITY_MS = 60_000;

const sha256 = (s: string): string => createHash('sha256').update(s).digest('hex');
const secret = (): string => randomBytes(32).toString('base64url');

/** An API token as listed and as audited (never its secret). */
export type TokenView = TokenAuditView;

function tokenView(t: ApiTokenTable, username: string): TokenView {
  return {
    id: t.id,
    name: t.name,
    user: username,
    createdAt: t.created_at,
    expiresAt: t.expires_at,
    lastUsedAt: t.last_used_at,
    revokedAt: t.revoked_at,
  };
}

export type CreateTokenInput = { user?: string | undefined; name?: string | undefined; expiresInDays?: number | undefined };

/** Creates an API token; the secret is returned here once and only its hash is kept. */
export async function createToken(deps: ServiceDeps, actor: Actor, input: CreateTokenInput): Promise<TokenView & { token: string }> {
  const username = input.user ?? actor.username;
  if (username !== actor.username && !isAdmin(actor)) throw new ForbiddenError('token.create-for-others', ['admin']);
  return write(deps, actor, async (tx) => {
    const { db } = tx;
    const user = await userByName(db, username);
    if (!user) throw new NotFoundError('user', username);
    if (user.disabled === 1) throw new ConflictError(`user "${username}" is disabled`, 'user-disabled');
    const now = deps.clock();
    const token = `${TOKEN_PREFIX}${secret()}`;
    const row: ApiTokenTable = {
      id: randomUUID(),
      user_id: user.id,
      name: input.name ?? 'cli',
      token_hash: sha256(token),
      created_at: now.toISOString(),
      expires_at: input.expiresInDays === undefined ? null : new Date(now.getTime() + input.expiresInDays * 86_400_000).toISOString(),
      last_used_at: null,
      revoked_at: null,
    };
    await insertToken(db, row);
    const v = tokenView(row, username);
    return tx.audit({ action: 'token.create', subjectType: 'token', subjectId: row.id, after: v }, { ...v, token });
  });
}

export async function listTokens(deps: ServiceDeps, actor: Actor, username?: string): Promise<TokenView[]> {
  const name = username ?? actor.username;
  if (name !== actor.username && !isAdmin(actor)) throw new ForbiddenError('token.list-for-others', ['admin']);
  const user = await userByName(deps.database.kysely, name);
  if (!user) throw new NotFoundError('user', name);
  return (await tokensOfUser(deps.database.kysely, user.id)).map((t) => tokenView(t, name));
}

/** Every user's API tokens, ordered by owner then creation: for administrators only. */
export async function listAllTokens(deps: ServiceDeps, actor: Actor): Promise<TokenView[]> {
  if (!isAdmin(actor)) throw new ForbiddenError('token.list-for-others', ['admin']);
  return (await allTokensWithOwner(deps.database.kysely)).map(({ username, ...t }) => tokenView(t, username));
}

export async function revokeToken(deps: ServiceDeps, actor: Actor, id: string): Promise<TokenView> {
  return write(deps, actor, async (tx) => {
    const { db, onCommit } = tx;
    const t = await tokenById(db, id);
    const owner = t ? await userById(db, t.user_id) : undefined;
    if (!t || !owner || (owner.username !== actor.username && !isAdmin(actor))) throw new NotFoundError('token', id);
    if (t.revoked_at !== null) throw new ConflictError(`token ${id} is already revoked`, 'already-revoked');
    const before = tokenView(t, owner.username);
    const revokedAt = deps.clock().toISOString();
    await updateToken(db, id, { revoked_at: revokedAt });
    onCommit(() => deps.caches.tokens.clear());
    const after = { ...before, revokedAt };
    return tx.audit({ action: 'token.revoke', subjectType: 'token', subjectId: id, before, after }, after);
  });
}

/** The actor behind a bearer token, or null when it is unknown, revoked, expired or its user disabled. */
export async function actorFromToken(deps: ServiceDeps, token: string, requestId?: string): Promise<Actor | null> {
  if (!token.startsWith(TOKEN_PREFIX) || token.length > 200) return null;
  const hash = sha256(token);
  const hit = deps.caches.tokens.get(hash);
  if (hit && (hit.expiresAt === null || hit.expiresAt > deps.clock().toISOString())) return { ...hit.actor, requestId };
  const db = deps.database.kysely;
  const t = await tokenByHash(db, hash);
  if (!t || t.revoked_at !== null) return null;
  const now = deps.clock();
  if (t.expires_at !== null && t.expires_at <= now.toISOString()) return null;
  const user = await userById(db, t.user_id);
  if (!user || user.disabled === 1) return null;
  if (t.last_used_at === null || now.getTime() - Date.parse(t.last_used_at) > LAST_USED_GRANULARITY_MS) {
    await updateToken(db, t.id, { last_used_at: now.toISOString() });
  }
  const actor = { userId: user.id, username: user.username, roles: user.roles };
  deps.caches.tokens.set(hash, { actor, expiresAt: t.expires_at });
  return { ...actor, requestId };
}

export type SessionResult = { sessionId: string; csrfToken: string; expiresAt: string; actor: Actor };

export type LoginInput = {
  username: string;
  password: string;
  /** How long the session lasts. */
  ttlHours: number;
  requestId?: string | undefined;
  /** The client's IP as the HTTP layer resolved it. */
  address?: string | undefined;
};

/**
 * Signs in with a password. Sign-in attempts are throttled per account and
 * per client address, in the database, so every process sharing it honours
 * the same locks; see src/domain/login-throttle.ts.
 */
export async function login(deps: ServiceDeps, input: LoginInput): Promise<SessionResult> {
  const { username, password, ttlHours, requestId, address } = input;
  const attempt = await countAttempt(deps, throttleKeys(username, address));
  const user = await userByName(deps.database.kysely, username);
  const ok = await verifyPassword(user?.password_hash ?? null, password);
  if (!user || !ok || user.disabled === 1) {
    await confirmFailure(deps, attempt, requestId);
    throw new UnauthenticatedError('wrong username or password');
  }
  const actor: Actor = { userId: user.id, username: user.username, roles: user.roles, requestId };
  const sessionId = secret();
  const csrfToken = secret();
  const now = deps.clock();
  const expiresAt = new Date(now.getTime() + ttlHours * 3_600_000).toISOString();
  await write(deps, actor, async (tx) => {
    const { db } = tx;
    await confirmSuccess(db, attempt);
    await deleteExpiredSessions(db, now.toISOString());
    await insertSession(db, {
      id_hash: sha256(sessionId),
      user_id: user.id,
      csrf_token: csrfToken,
      created_at: now.toISOString(),
      expires_at: expiresAt,
    });
    return tx.audit({ action: 'session.create', subjectType: 'user', subjectId: user.username, after: { expiresAt } }, undefined);
  });
  return { sessionId, csrfToken, expiresAt, actor };
}

export async function actorFromSession(
  deps: ServiceDeps,
  sessionId: string,
  requestId?: string,
): Promise<{ actor: Actor; csrfToken: string; expiresAt: string } | null> {
  if (sessionId.length > 200) return null;
  const db = deps.database.kysely;
  const s = await sessionByHash(db, sha256(sessionId));
  if (!s || s.expires_at <= deps.clock().toISOString()) return null;
  const user = await userById(db, s.user_id);
  if (!user || user.disabled === 1) return null;
  return {
    actor: { userId: user.id, username: user.username, roles: user.roles, requestId },
    csrfToken: s.csrf_token,
    expiresAt: s.expires_at,
  };
}

export function csrfMatches(expected: string, given: string | undefined): boolean {
  if (given === undefined) return false;
  const a = Buffer.from(expected);
  const b = Buffer.from(given);
  return a.length === b.length && timingSafeEqual(a, b);
}

export async function logout(deps: ServiceDeps, actor: Actor, sessionId: string): Promise<void> {
  await write(deps, actor, async (tx) => {
    const { db } = tx;
    await deleteSession(db, sha256(sessionId));
    return tx.audit({ action: 'session.delete', subjectType: 'user', subjectId: actor.username }, undefined);
  });
}

export function requireUser(actor: Actor | null): Actor {
  if (!actor) throw new UnauthenticatedError('sign in or send an API token (Authorization: Bearer …)');
  return actor;
}
