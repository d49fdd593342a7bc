/** The calendar routes of the authorization table (see authorization-table.ts for the meaning of each access). */
import { addDays } from '../../src/domain/dates.js';
import { SYSTEM_ACTOR } from '../../src/services/actor.js';
import { addBlackout } from '../../src/services/calendar/blackouts.js';
import { createCycle } from '../../src/services/calendar/cycles.js';
import { createFeedToken } from '../../src/services/calendar/feed.js';
import { createRelease } from '../../src/services/releases.js';
import { V, type Fixtures, type Route } from './authorization-table.js';

/** Saturdays years ahead, one per call, so no two calls collide and nothing meets the fixtures' releases. */
let week = 0;
const nextSaturday = () => addDays('2031-01-04', 7 * ++week);

const freshCycle = async (fx: Fixtures) => (await createCycle(fx.h.deps, SYSTEM_ACTOR, { date: nextSaturday() })).date;
const freshBlackout = async (fx: Fixtures) =>
  (await addBlackout(fx.h.deps, SYSTEM_ACTOR, { from: nextSaturday(), reason: 'to remove' })).id;
/** An emergency release planned before a blackout was added on its date. */
const releaseInBlackout = async (fx: Fixtures) => {
  const date = nextSaturday();
  const r = await createRelease(fx.h.deps, SYSTEM_ACTOR, { type: 'emergency', plannedDate: date, channels: ['web'] });
  await addBlackout(fx.h.deps, SYSTEM_ACTOR, { from: date, reason: 'added later' });
  return r.name;
};
/** A feed secret of some signed-in user: the feed itself needs no other credential. */
const feedToken = async (fx: Fixtures) => {
  const username = fx.users.get('viewer')?.username ?? 'table-target';
  const row = await fx.h.deps.database.kysely.selectFrom('users').select('id').where('username', '=', username).executeTakeFirstOrThrow();
  return (await createFeedToken(fx.h.deps, { userId: row.id, username, roles: ['viewer'] })).token;
};

export const CALENDAR_ROUTES: Route[] = [
  { method: 'GET', url: `${V}/cycles`, access: 'read', ok: 200 },
  {
    method: 'POST',
    url: `${V}/cycles`,
    access: 'calendar.manage',
    ok: 201,
    req: () => ({ payload: { date: nextSaturday() } }),
  },
  {
    method: 'POST',
    url: `${V}/cycles/:date/move`,
    access: 'calendar.manage',
    ok: 200,
    req: async (fx) => ({
      url: `${V}/cycles/${await freshCycle(fx)}/move`,
      payload: { to: addDays(nextSaturday(), 1), reason: 'moved by the table' },
    }),
  },
  {
    method: 'GET',
    url: `${V}/cycles/:date/move-preview`,
    access: 'calendar.manage',
    ok: 200,
    req: async (fx) => ({ url: `${V}/cycles/${await freshCycle(fx)}/move-preview?to=${addDays(nextSaturday(), 1)}` }),
  },
  {
    method: 'POST',
    url: `${V}/cycles/:date/cancel`,
    access: 'calendar.manage',
    ok: 200,
    req: async (fx) => ({ url: `${V}/cycles/${await freshCycle(fx)}/cancel`, payload: { reason: 'cancelled by the table' } }),
  },
  { method: 'GET', url: `${V}/blackouts`, access: 'read', ok: 200 },
  {
    method: 'POST',
    url: `${V}/blackouts`,
    access: 'calendar.manage',
    ok: 201,
    req: () => ({ payload: { from: nextSaturday(), reason: 'table' } }),
  },
  {
    method: 'DELETE',
    url: `${V}/blackouts/:id`,
    access: 'calendar.manage',
    ok: 204,
    req: async (fx) => ({ url: `${V}/blackouts/${await freshBlackout(fx)}` }),
  },
  { method: 'GET', url: `${V}/calendar/conflicts`, access: 'read', ok: 200 },
  {
    method: 'PUT',
    url: `${V}/releases/:name/blackout-override`,
    access: 'blackout.override',
    ok: 200,
    req: async (fx) => ({
      url: `${V}/releases/${await releaseInBlackout(fx)}/blackout-override`,
      payload: { reason: 'patient safety fix' },
    }),
  },
  { method: 'GET', url: `${V}/calendar/feed-token`, access: 'self', ok: 200 },
  { method: 'POST', url: `${V}/calendar/feed-token`, access: 'self', ok: 201, req: () => ({ payload: {} }) },
  { method: 'DELETE', url: `${V}/calendar/feed-token`, access: 'self', ok: 204 },
  {
    method: 'GET',
    url: `${V}/calendar.ics`,
    access: 'public',
    ok: 200,
    req: async (fx) => ({ url: `${V}/calendar.ics?token=${await feedToken(fx)}` }),
  },
];
