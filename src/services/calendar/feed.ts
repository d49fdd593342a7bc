import { createHash, randomBytes, randomUUID } from 'node:crypto';
import ical, { ICalEventStatus } from 'ical-generator';
import { listApplications } from '../../db/repositories/applications.js';
import {
  activeFeedToken,
  activeFeedTokenIds,
  feedTokenByHash,
  insertFeedToken,
  openTasksDueSince,
  revokeFeedTokensOf,
  touchFeedToken,
} from '../../db/repositories/calendar-feed.js';
import { taskResponsible } from '../../db/repositories/checklist.js';
import { blackoutsEndingSince, cyclesOf, releasesPlanned } from '../../db/repositories/calendar.js';
import { releaseChannels } from '../../db/repositories/releases.js';
import { userById } from '../../db/repositories/users.js';
import type { CalendarTokenTable } from '../../db/schema.js';
import { describeBlackout, todayIn } from '../../domain/calendar.js';
import { addDays } from '../../domain/dates.js';
import { ConflictError, NotFoundError, ValidationError } from '../../domain/errors.js';
import type { ProcessTemplate } from '../../domain/template/schema.js';
import type { Actor } from '../actor.js';
import { resolveApplication } from '../applications.js';
import type { ServiceDeps } from '../deps.js';
import { write } from '../write.js';
import { toWindow } from './common.js';

/** Calendar feed secrets: `rmc_` + 256 random bits; only the SHA-256 is stored, as for API tokens. */
export const FEED_TOKEN_PREFIX = 'rmc_';
/** last_used_at is bookkeeping: written at most this often per token. */
const LAST_USED_GRANULARITY_MS = 60_000;
/** Past entries kept in the feed. */
const FEED_HISTORY_DAYS = 366;

const sha256 = (s: string): string => createHash('sha256').update(s).digest('hex');

export type FeedTokenView = { token: string; createdAt: string; path: string };

export const feedPath = (token: string): string => `/api/v1/calendar.ics?token=${encodeURIComponent(token)}`;

function requireUser(actor: Actor): string {
  if (actor.userId === null) {
    throw new ValidationError('a calendar feed belongs to a user', [{ path: 'user', message: 'sign in as a user to get a calendar feed' }]);
  }
  return actor.userId;
}

export type FeedStatusView = { exists: boolean; createdAt: string | null; lastUsedAt: string | null };

/** Whether the caller has a calendar feed URL, since when, and when a calendar last fetched it; the URL itself is not kept. */
export async function feedTokenStatus(deps: ServiceDeps, actor: Actor): Promise<FeedStatusView> {
  const userId = requireUser(actor);
  const active = await activeFeedToken(deps.database.kysely, userId);
  return { exists: active !== undefined, createdAt: active?.created_at ?? null, lastUsedAt: active?.last_used_at ?? null };
}

/**
 * Creates the caller's calendar feed secret, revoking any earlier one (a
 * user has one feed URL at a time). The secret is returned once. With
 * `replace: false` an existing feed is kept and the call is refused
 * (`409 feed-exists`), so asking for a feed never silently cuts off the
 * calendars subscribed to the old URL.
 */
export async function createFeedToken(deps: ServiceDeps, actor: Actor, options: { replace?: boolean } = {}): Promise<FeedTokenView> {
  const userId = requireUser(actor);
  return write(deps, actor, async (tx) => {
    const { db } = tx;
    const now = deps.clock().toISOString();
    if (options.replace === false) {
      const existing = await activeFeedToken(db, userId);
      if (existing) {
        throw new ConflictError(
          `you already have a calendar feed URL (created ${existing.created_at}); it cannot be shown again — replace it with \`relman calendar feed --rotate\``,
          'feed-exists',
        );
      }
    }
    const replaced = await revokeFeedTokensOf(db, userId, now);
    const token = `${FEED_TOKEN_PREFIX}${randomBytes(32).toString('base64url')}`;
    const row: CalendarTokenTable = {
      id: randomUUID(),
      user_id: userId,
      token_hash: sha256(token),
      created_at: now,
      revoked_at: null,
      last_used_at: null,
    };
    await insertFeedToken(db, row);
    return tx.audit(
      {
        action: 'calendar-feed.create',
        subjectType: 'calendar-feed',
        subjectId: row.id,
        after: { user: actor.username, createdAt: now, replaced },
      },
      { token, createdAt: now, path: feedPath(token) },
    );
  });
}

/** Revokes the caller's feed URL; calendars subscribed to it get 404 from then on. Revoking when there is none does nothing. */
export async function revokeFeedToken(deps: ServiceDeps, actor: Actor): Promise<void> {
  const userId = requireUser(actor);
  await write(deps, actor, async (tx) => {
    const { db } = tx;
    const now = deps.clock().toISOString();
    const active = await activeFeedTokenIds(db, userId);
    if (active.length === 0) return tx.unaudited(undefined, 'no feed URL to revoke: nothing changed');
    await revokeFeedTokensOf(db, userId, now);
    return tx.audit(
      {
        action: 'calendar-feed.revoke',
        subjectType: 'calendar-feed',
        subjectId: active.join(','),
        after: { user: actor.username, revokedAt: now },
      },
      undefined,
    );
  });
}

const day = (date: string): Date => new Date(`${date}T00:00:00Z`);
const stamp = (iso: string): Date => new Date(iso);

/**
 * The iCalendar feed of the token's user, for every application: change
 * cycles (cancelled ones as STATUS:CANCELLED), blackout windows, releases and
 * the open checklist tasks of roles the user holds. Every entry is all-day
 * (DATE values, no time zone needed), has a stable UID, and a SEQUENCE and
 * LAST-MODIFIED taken from its row, so a client refreshing the subscription
 * replaces the old entry. Unknown and revoked tokens look the same (404).
 */
export async function calendarFeed(deps: ServiceDeps, token: string): Promise<string> {
  const db = deps.database.kysely;
  const notFound = new NotFoundError('calendar feed', 'token');
  if (!token.startsWith(FEED_TOKEN_PREFIX) || token.length > 200) throw notFound;
  const t = await feedTokenByHash(db, sha256(token));
  if (!t || t.revoked_at !== null) throw notFound;
  const user = await userById(db, t.user_id);
  if (!user || user.disabled === 1) throw notFound;
  const roles = user.roles;
  const now = deps.clock();
  if (t.last_used_at === null || now.getTime() - Date.parse(t.last_used_at) >= LAST_USED_GRANULARITY_MS) {
    await touchFeedToken(db, t.id, now.toISOString());
  }

  const apps = await listApplications(db);
  const several = apps.length > 1;
  const cal = ical({
    name: `relman: ${user.display_name || user.username}`,
    prodId: { company: 'relman', product: 'relman', language: 'EN' },
    ttl: 15 * 60,
  });
  for (const app of apps) {
    const ctx = await resolveApplication(deps, db, app.key);
    const template: ProcessTemplate = ctx.template;
    const since = addDays(todayIn(template.calendar.timeZone, now), -FEED_HISTORY_DAYS);
    const prefix = several ? `${app.name}: ` : '';

    const releases = await releasesPlanned(db, { applicationId: app.id, from: since });
    const cycles = await cyclesOf(db, app.id, since);
    for (const c of cycles) {
      const booked = releases.filter((r) => r.cycle_id === c.id);
      const lines = [
        c.status === 'cancelled' ? `Cancelled: ${c.note}` : c.note,
        ...booked.map((r) => `${r.name} ${r.title} (${r.state})`),
      ].filter((l) => l.trim() !== '');
      cal.createEvent({
        id: `cycle-${c.id}@relman`,
        start: day(c.cycle_date),
        end: day(addDays(c.cycle_date, 1)),
        allDay: true,
        summary: `${prefix}${c.title}${booked.length > 0 ? ` (${booked.map((r) => r.name).join(', ')})` : ''}`,
        description: lines.join('\n'),
        status: c.status === 'cancelled' ? ICalEventStatus.CANCELLED : ICalEventStatus.CONFIRMED,
        sequence: c.row_version - 1,
        stamp: stamp(c.updated_at),
        lastModified: stamp(c.updated_at),
        created: stamp(c.created_at),
      });
    }

    const blackouts = await blackoutsEndingSince(db, app.id, since);
    for (const b of blackouts) {
      cal.createEvent({
        id: `blackout-${b.id}@relman`,
        start: day(b.starts_on),
        end: day(addDays(b.ends_on, 1)),
        allDay: true,
        summary: `${prefix}Blackout: ${b.reason}`,
        description: describeBlackout(toWindow(b)),
        sequence: 0,
        stamp: stamp(b.created_at),
        lastModified: stamp(b.created_at),
        created: stamp(b.created_at),
      });
    }

    for (const r of releases) {
      cal.createEvent({
        id: `release-${r.id}@relman`,
        start: day(r.planned_date),
        end: day(addDays(r.planned_date, 1)),
        allDay: true,
        summary: `${prefix}${r.name} ${r.title} (${r.state})`.replace(/\s+/g, ' '),
        description: [`Type: ${r.type}`, `Channels: ${releaseChannels.decode(r.channels).join(', ')}`, r.description]
          .filter((l) => l !== '')
          .join('\n'),
        sequence: r.row_version - 1,
        stamp: stamp(r.updated_at),
        lastModified: stamp(r.updated_at),
        created: stamp(r.created_at),
      });
    }

    if (roles.length === 0) continue;
    const tasks = await openTasksDueSince(db, app.id, since);
    for (const task of tasks) {
      const responsible = taskResponsible.decode(task.responsible);
      if (!responsible.some((r) => roles.includes(r)) || task.due_date === null) continue;
      cal.createEvent({
        id: `task-${task.id}@relman`,
        start: day(task.due_date),
        end: day(addDays(task.due_date, 1)),
        allDay: true,
        summary: `${prefix}${task.release_name}: ${task.title}`,
        description: [`Responsible: ${responsible.join(', ')}`, task.remarks].filter((l) => l !== '').join('\n'),
        // Both versions only grow, so their sum does too: a moved release or an edited task replaces the entry.
        sequence: task.row_version + task.release_version - 2,
        stamp: stamp(task.release_updated_at),
        lastModified: stamp(task.release_updated_at),
      });
    }
  }
  return cal.toString();
}
