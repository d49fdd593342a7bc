/** The checklist routes of the authorization table (see authorization-table.ts for the meaning of each access). */
import { SYSTEM_ACTOR } from '../../src/services/actor.js';
import { completeTask } from '../../src/services/checklist/tasks.js';
import { createRelease } from '../../src/services/releases.js';
import { V, type Fixtures, type Route } from './authorization-table.js';

/** Completing, skipping and reopening change a task for good: each call gets a release of its own. */
const freshRelease = async (fx: Fixtures) =>
  (await createRelease(fx.h.deps, SYSTEM_ACTOR, { type: 'scheduled', plannedDate: '2026-03-21', channels: ['database', 'web'] })).name;
const task = (release: string, t: string, verb: string) => `${V}/releases/${release}/checklist/${t}/${verb}`;

export const CHECKLIST_ROUTES: Route[] = [
  {
    method: 'GET',
    url: `${V}/releases/:name/checklist`,
    access: 'read',
    ok: 200,
    req: (fx) => ({ url: `${V}/releases/${fx.release}/checklist` }),
  },
  {
    method: 'POST',
    url: `${V}/releases/:name/checklist/:task/complete`,
    // The technical lead, responsible for sending the notes, holds checklist.complete anyway.
    access: 'checklist.complete',
    ok: 200,
    req: async (fx) => ({ url: task(await freshRelease(fx), 'send-release-notes', 'complete'), payload: { note: 'sent' } }),
  },
  {
    method: 'POST',
    url: `${V}/releases/:name/checklist/:task/reopen`,
    access: 'checklist:back-up-databases',
    ok: 200,
    req: async (fx) => {
      const release = await freshRelease(fx);
      await completeTask(fx.h.deps, SYSTEM_ACTOR, { name: release }, 'back-up-databases', { note: 'backed up' });
      return { url: task(release, 'back-up-databases', 'reopen'), payload: { reason: 'the backup failed' } };
    },
  },
  {
    method: 'POST',
    url: `${V}/releases/:name/checklist/:task/skip`,
    access: 'checklist:prepare-release-notes',
    ok: 200,
    req: async (fx) => ({ url: task(await freshRelease(fx), 'prepare-release-notes', 'skip'), payload: { reason: 'no notes needed' } }),
  },
  {
    method: 'POST',
    url: `${V}/releases/:name/checklist/:task/waive`,
    access: 'checklist.waive',
    ok: 200,
    req: async (fx) => ({
      url: task(await freshRelease(fx), 'back-up-databases', 'waive'),
      payload: { transition: 'start-deployment', reason: 'the backup runs in the deployment window' },
    }),
  },
  {
    method: 'PUT',
    url: `${V}/releases/:name/milestones/:milestone`,
    access: 'release.update',
    ok: 200,
    req: (fx) => ({ url: `${V}/releases/${fx.release}/milestones/uat-start`, payload: { date: '2026-03-09' } }),
  },
  {
    method: 'PUT',
    url: `${V}/releases/:name/checklist/:task/evidence/:fileName`,
    access: 'checklist:back-up-databases',
    ok: 200,
    // A release carrying the database channel: only such a release has the backup task.
    req: async (fx) => ({
      url: `${V}/releases/${await freshRelease(fx)}/checklist/back-up-databases/evidence/backup.log`,
      headers: { 'content-type': 'application/octet-stream' },
      payload: Buffer.from('backup done\n'),
    }),
  },
  {
    method: 'GET',
    url: `${V}/releases/:name/checklist/:task/evidence/:fileName`,
    access: 'read',
    ok: 200,
    req: async (fx) => {
      const admin = fx.users.get('admin');
      await fx.app.inject({
        method: 'PUT',
        url: `${V}/releases/${fx.release}/checklist/transfer-web-packages/evidence/sftp.log`,
        headers: { authorization: `Bearer ${admin?.token ?? ''}`, 'content-type': 'application/octet-stream' },
        payload: Buffer.from('put CFIS.war\n'),
      });
      return { url: `${V}/releases/${fx.release}/checklist/transfer-web-packages/evidence/sftp.log` };
    },
  },
  { method: 'GET', url: `${V}/checklist`, access: 'read', ok: 200, req: () => ({ url: `${V}/checklist?mine=true&overdue=false` }) },
];
