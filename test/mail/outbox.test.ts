import { randomUUID } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { insertPackageVersion } from '../../src/db/repositories/lifecycle.js';
import { ValidationError } from '../../src/domain/errors.js';
import { MaildirTransport } from '../../src/integrations/mail/maildir.js';
import { SmtpTransport } from '../../src/integrations/mail/smtp.js';
import { backoffMs, deliverDueMail, MAX_ATTEMPTS } from '../../src/jobs/outbox-delivery.js';
import { SYSTEM_ACTOR, type Actor } from '../../src/services/actor.js';
import { createApplication } from '../../src/services/applications.js';
import { createContact, listContacts, listGroups } from '../../src/services/contacts/contacts.js';
import { releaseChecklist } from '../../src/services/checklist/tasks.js';
import { loadLifecycleRows } from '../../src/db/repositories/lifecycle.js';
import { evaluateGate } from '../../src/domain/lifecycle/gates.js';
import type { Gate } from '../../src/domain/template/lifecycle-schema.js';
import { recordNotification } from '../../src/services/lifecycle/evidence.js';
import { releaseEvidence } from '../../src/services/lifecycle/evidence-read.js';
import { toSnapshot } from '../../src/services/lifecycle/snapshot.js';
import { decideApproval } from '../../src/services/lifecycle/approvals.js';
import { enqueueMail } from '../../src/services/mail/outbox.js';
import { getMail, listMail, retryMail } from '../../src/services/mail/read.js';
import { sendReleaseMail } from '../../src/services/mail/send.js';
import { createRelease } from '../../src/services/releases.js';
import { assignWorkItem, createWorkItem } from '../../src/services/work-items.js';
import { createDeps } from '../../src/runtime.js';
import { dialects, open } from '../support/databases.js';
import { harness, userWith, type Harness } from '../support/harness.js';
import { auditEvents, lastAuditSeq, manualClock, rejectsWith, releaseInput, rowCount, templateYaml } from '../support/service-fixtures.js';
import { startSmtp, type ReceivedMail, type TestSmtp } from '../support/smtp.js';
import { publishTemplate } from '../../src/services/templates.js';

const FROM = 'relman <relman@test.example>';
const smtpTo = (port: number) =>
  new SmtpTransport(
    { host: '127.0.0.1', port, secure: false, requireStartTls: false, auth: undefined, tlsRejectUnauthorized: true },
    { connectMs: 3000, socketMs: 10_000 },
  );

describe.each(dialects)('mail outbox on $name', ({ name: dialect }) => {
  const mc = manualClock('2030-01-07T09:00:00.000Z');
  let h: Harness;
  let smtp: TestSmtp;
  let lead: Actor;
  let cmc: Actor;
  const received: ReceivedMail[] = [];

  beforeAll(async () => {
    h = await harness(dialect, mc.clock);
    smtp = await startSmtp(0, received);
    lead = (await userWith(h.deps, ['technical-lead'], `lead-${dialect}`)).actor;
    cmc = (await userWith(h.deps, ['cmc'], `cmc-${dialect}`)).actor;
    await h.deps.database.kysely
      .updateTable('users')
      .set({ email: 'lead@example.org', display_name: 'Lee Lead' })
      .where('username', '=', lead.username)
      .execute();
    await h.deps.database.kysely
      .updateTable('users')
      .set({ display_name: 'Ann Coordinator' })
      .where('username', '=', cmc.username)
      .execute();
  });
  afterAll(async () => {
    await smtp?.stop();
    await h?.close();
  });
  afterEach(async () => {
    received.length = 0;
    // Each test counts its own deliveries: what an earlier one left queued counts as delivered.
    await h.deps.database.kysely.updateTable('mail_outbox').set({ status: 'sent' }).where('status', '<>', 'sent').execute();
  });

  const newRelease = async () =>
    (await createRelease(h.deps, lead, releaseInput({ channels: ['database', 'web'], title: 'Totals fix' }))).name;
  const outboxRow = (id: string) =>
    h.deps.database.kysely.selectFrom('mail_outbox').selectAll().where('id', '=', id).executeTakeFirstOrThrow();

  it('seeds the default application’s groups from the template', async () => {
    expect(await listGroups(h.deps, undefined)).toMatchObject([
      { key: 'deployment-team', name: 'Deployment team (CIO E-Business)', email: 'deployment-team@example.org' },
    ]);
    expect(await listContacts(h.deps, undefined)).toEqual([]);
  });

  it('renders a release mail, queues it with its audit event, and an SMTP server receives it once', async () => {
    const name = await newRelease();
    const item = await createWorkItem(h.deps, lead, { kind: 'IR', helpdeskRef: 'HD-77', title: 'Totals are wrong' });
    await assignWorkItem(h.deps, lead, { key: item.key }, { release: name });
    const rel = await h.deps.database.kysely.selectFrom('releases').select('id').where('name', '=', name).executeTakeFirstOrThrow();
    await h.deps.database.transaction(({ db }) =>
      insertPackageVersion(
        db,
        {
          id: randomUUID(),
          release_id: rel.id,
          channel: 'database',
          version: 1,
          label: 'CFIS.xml',
          created_by: lead.username,
          created_at: mc.now().toISOString(),
          file_name: 'CFIS.xml',
          kind: 'cache-xml',
          size: 2048,
          sha256: 'ab'.repeat(32),
          manifest: '[]',
          item_set: null,
        },
        [],
      ),
    );
    const seq = await lastAuditSeq(h.deps);
    const queued = await sendReleaseMail(
      h.deps,
      lead,
      { name: name },
      {
        template: 'deployment-notice',
        note: 'Please plan the install.',
        to: ['ops@example.org'],
      },
    );
    expect(queued).toMatchObject({
      template: 'deployment-notice',
      cause: 'release.mail',
      release: name,
      status: 'pending',
      attempts: 0,
      to: ['deployment-team@example.org', 'ops@example.org'],
      cc: ['lead@example.org'],
      subject: `${name}: release planned for 2030-02-02, packages ready`,
      messageId: `<${queued.id}@relman.invalid>`,
    });
    const events = await auditEvents(h.deps, seq);
    expect(events.map((e) => e.action)).toEqual(['mail.queue']);
    expect(events[0]?.after).toMatchObject({ id: queued.id, template: 'deployment-notice' });

    const body = (await getMail(h.deps, undefined, queued.id)).body;
    expect(body).toContain('Database (Cache/IRIS), v1: CFIS.xml');
    expect(body).toContain('file:    CFIS.xml, 2.0 KiB (2048 bytes)');
    expect(body).toContain(`SHA-256: ${'ab'.repeat(32)}`);
    expect(body).toContain(`get it:  http://127.0.0.1:8080/api/v1/releases/${name}/packages/database/1/file`);
    expect(body).toContain('Web (WebSphere): no package recorded yet');
    expect(body).toContain('Please plan the install.');
    expect(body).toContain('Lee Lead');

    const result = await deliverDueMail(h.deps, { transport: smtpTo(smtp.port), from: FROM });
    expect(result).toEqual({ sent: 1, failed: 0, gaveUp: 0, lost: 0 });
    expect(received).toHaveLength(1);
    const got = received[0] as ReceivedMail;
    expect(got.mailFrom).toBe('relman@test.example');
    expect([...got.rcptTo].sort()).toEqual(['deployment-team@example.org', 'lead@example.org', 'ops@example.org']);
    expect(got.subject).toBe(`${name}: release planned for 2030-02-02, packages ready`);
    expect(got.messageId).toBe(queued.messageId);
    expect(got.headers.from).toBe('relman <relman@test.example>');
    expect(got.headers['x-relman-template']).toBe('deployment-notice');
    expect(got.text).toContain(`Release ${name} (Totals fix) of CMS Net is planned for 2030-02-02.`);
    expect(got.text).toContain(`SHA-256: ${'ab'.repeat(32)}`);
    expect(got.text).toContain('Please plan the install.');

    expect(await outboxRow(queued.id)).toMatchObject({
      status: 'sent',
      attempts: 1,
      transport: 'smtp',
      sent_at: mc.now().toISOString(),
      lease_owner: null,
      last_error: null,
    });
    // Nothing is due any more: no second copy.
    expect(await deliverDueMail(h.deps, { transport: smtpTo(smtp.port), from: FROM })).toEqual({ sent: 0, failed: 0, gaveUp: 0, lost: 0 });
    expect(received).toHaveLength(1);

    // Release notes list the work items.
    const notes = await sendReleaseMail(h.deps, lead, { name: name }, { template: 'release-notes' });
    expect((await getMail(h.deps, undefined, notes.id)).body).toContain(`- ${item.key} (HD-77): Totals are wrong`);
  });

  it('lists every file of each channel’s current package in the deployment notice: the static ZIP and the WAR', async () => {
    const name = await newRelease();
    const rel = await h.deps.database.kysely.selectFrom('releases').select('id').where('name', '=', name).executeTakeFirstOrThrow();
    const file = (channel: string, version: number, fileName: string, kind: string, size: number, sha: string) =>
      h.deps.database.transaction(({ db }) =>
        insertPackageVersion(
          db,
          {
            id: randomUUID(),
            release_id: rel.id,
            channel,
            version,
            label: fileName,
            created_by: lead.username,
            created_at: mc.now().toISOString(),
            file_name: fileName,
            kind,
            size,
            sha256: sha.repeat(64 / sha.length),
            manifest: '{}',
            item_set: null,
          },
          [],
        ),
      );
    // The web package was uploaded as two versions: the ZIP first, then the WAR; a newer ZIP replaces the older one.
    await file('web', 1, 'static-old.zip', 'zip', 1000, 'a1');
    await file('web', 2, 'static.zip', 'zip', 4096, 'b2');
    await file('web', 3, 'cms.war', 'war', 3 * 1024 * 1024, 'c3');
    await file('database', 1, 'CFIS.xml', 'cache-xml', 2048, 'd4');
    const sent = await sendReleaseMail(h.deps, lead, { name: name }, { template: 'deployment-notice' });
    expect(await deliverDueMail(h.deps, { transport: smtpTo(smtp.port), from: FROM })).toMatchObject({ sent: 1 });
    const text = received.find((m) => m.messageId === sent.messageId)?.text ?? '';
    const url = `http://127.0.0.1:8080/api/v1/releases/${name}/packages`;
    expect(text).toContain(
      [
        '- Web (WebSphere), v3: cms.war',
        '  file:    static.zip (v2), 4.0 KiB (4096 bytes)',
        `  SHA-256: ${'b2'.repeat(32)}`,
        `  get it:  ${url}/web/2/file`,
        '  file:    cms.war, 3.0 MiB (3145728 bytes)',
        `  SHA-256: ${'c3'.repeat(32)}`,
        `  get it:  ${url}/web/3/file`,
      ].join('\n'),
    );
    expect(text).toContain(['- Database (Cache/IRIS), v1: CFIS.xml', '  file:    CFIS.xml, 2.0 KiB (2048 bytes)'].join('\n'));
    expect(text).not.toContain('static-old.zip');
  });

  it('retries with backoff while the SMTP server is down, delivers once when it is back, gives up after the last attempt', async () => {
    const port = smtp.port;
    await smtp.stop();
    try {
      const name = await newRelease();
      const m = await sendReleaseMail(h.deps, lead, { name: name }, { template: 'release-notes' });
      const transport = smtpTo(port);
      expect(await deliverDueMail(h.deps, { transport, from: FROM })).toMatchObject({ sent: 0, failed: 1 });
      let row = await outboxRow(m.id);
      expect(row).toMatchObject({ status: 'pending', attempts: 1, transport: 'smtp', lease_owner: null });
      expect(row.last_error).toMatch(/ECONNREFUSED/);
      expect(row.next_attempt_at).toBe(new Date(mc.now().getTime() + 30_000).toISOString());
      // Not due yet: nothing is tried.
      mc.advance(29_000);
      expect(await deliverDueMail(h.deps, { transport, from: FROM })).toMatchObject({ sent: 0, failed: 0 });
      mc.advance(1000);
      expect(await deliverDueMail(h.deps, { transport, from: FROM })).toMatchObject({ failed: 1 });
      row = await outboxRow(m.id);
      expect(row.attempts).toBe(2);
      expect(row.next_attempt_at).toBe(new Date(mc.now().getTime() + 60_000).toISOString());
      const listed = await listMail(h.deps, { release: name, limit: 50, offset: 0 });
      expect(listed.items).toMatchObject([{ id: m.id, status: 'pending', attempts: 2, lastError: expect.stringMatching(/ECONNREFUSED/) }]);

      smtp = await startSmtp(port, received);
      mc.advance(60_000);
      expect(await deliverDueMail(h.deps, { transport, from: FROM })).toMatchObject({ sent: 1 });
      expect(await deliverDueMail(h.deps, { transport, from: FROM })).toMatchObject({ sent: 0 });
      expect(received.map((r) => r.messageId)).toEqual([m.messageId]);
      expect(await outboxRow(m.id)).toMatchObject({ status: 'sent', attempts: 3, last_error: null });

      // Down for good: after MAX_ATTEMPTS the mail is failed, shown as such and never tried again by itself.
      await smtp.stop();
      const doomed = await sendReleaseMail(h.deps, lead, { name: name }, { template: 'deployment-notice' });
      for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
        expect(await deliverDueMail(h.deps, { transport, from: FROM })).toMatchObject(
          attempt < MAX_ATTEMPTS ? { failed: 1 } : { gaveUp: 1 },
        );
        mc.advance(backoffMs(attempt));
      }
      expect(backoffMs(MAX_ATTEMPTS)).toBe(3_600_000);
      expect(await outboxRow(doomed.id)).toMatchObject({ status: 'failed', attempts: MAX_ATTEMPTS });
      mc.advance(24 * 3_600_000);
      expect(await deliverDueMail(h.deps, { transport, from: FROM })).toMatchObject({ sent: 0, failed: 0, gaveUp: 0 });
      expect((await listMail(h.deps, { status: 'failed', limit: 50, offset: 0 })).items.map((x) => x.id)).toEqual([doomed.id]);

      smtp = await startSmtp(port, received);
      const seq = await lastAuditSeq(h.deps);
      expect(await retryMail(h.deps, lead, undefined, doomed.id)).toMatchObject({
        status: 'pending',
        nextAttemptAt: mc.now().toISOString(),
      });
      expect((await auditEvents(h.deps, seq)).map((e) => e.action)).toEqual(['mail.retry']);
      expect(await deliverDueMail(h.deps, { transport, from: FROM })).toMatchObject({ sent: 1 });
      expect(received.map((r) => r.messageId)).toEqual([m.messageId, doomed.messageId]);
      expect(await outboxRow(doomed.id)).toMatchObject({ status: 'sent', attempts: MAX_ATTEMPTS + 1 });
    } finally {
      if (await isClosed(port)) smtp = await startSmtp(port, received);
    }
  });

  // On SQLite, two connections in one process would block each other's thread; separate processes take turns on the write lock.
  it.skipIf(dialect === 'sqlite')(
    'claims each due row for one deliverer only, even when two run at once on separate connections',
    async () => {
      const second = createDeps(open(h.scratch), mc.clock);
      try {
        const name = await newRelease();
        const ids: string[] = [];
        for (let i = 0; i < 12; i++)
          ids.push((await sendReleaseMail(h.deps, lead, { name: name }, { template: 'release-notes' })).messageId);
        const results = await Promise.all([
          deliverDueMail(h.deps, { transport: smtpTo(smtp.port), from: FROM, owner: 'a', batch: 3 }),
          deliverDueMail(second, { transport: smtpTo(smtp.port), from: FROM, owner: 'b', batch: 3 }),
        ]);
        expect(results.reduce((n, r) => n + r.sent, 0)).toBe(12);
        expect(results.every((r) => r.lost === 0)).toBe(true);
        expect(received.map((r) => r.messageId).sort()).toEqual([...ids].sort());
      } finally {
        await second.database.close();
      }
    },
  );

  it('leaves no mail behind when the transaction that queued it rolls back', async () => {
    const before = await rowCount(h.deps, 'mail_outbox');
    const queued = {
      template: 'release-notes',
      cause: 'test',
      applicationId: null,
      releaseId: null,
      to: ['x@example.org'],
      cc: [],
      subject: 's',
      body: 'b',
      createdBy: 'system',
    };
    await expect(
      h.deps.database.transaction(async ({ db }) => {
        await enqueueMail(db, h.deps, queued);
        throw new Error('the change failed');
      }),
    ).rejects.toThrow('the change failed');
    expect(await rowCount(h.deps, 'mail_outbox')).toBe(before);
    // A mail nobody would receive is refused, and with it the whole change.
    // The release's creator has no address, and `cycle-moved` goes to the creator only.
    const name = (await createRelease(h.deps, cmc, releaseInput())).name;
    const seq = await lastAuditSeq(h.deps);
    const err = await rejectsWith(sendReleaseMail(h.deps, cmc, { name: name }, { template: 'cycle-moved' }), ValidationError);
    expect(err.message).toContain('has no recipient');
    expect(await rowCount(h.deps, 'mail_outbox')).toBe(before);
    expect(await lastAuditSeq(h.deps)).toBe(seq);
  });

  const taskRow = async (name: string, task: string) => {
    const rel = await h.deps.database.kysely.selectFrom('releases').select('id').where('name', '=', name).executeTakeFirstOrThrow();
    return h.deps.database.kysely
      .selectFrom('checklist_tasks')
      .selectAll()
      .where('release_id', '=', rel.id)
      .where('task_id', '=', task)
      .executeTakeFirstOrThrow();
  };
  /** A gate of the template (by id), or one given here, evaluated on the release's recorded facts. */
  const gate = async (name: string, which: string | Gate) => {
    const r = await h.deps.database.kysely.selectFrom('releases').selectAll().where('name', '=', name).executeTakeFirstOrThrow();
    const template = await h.deps.templates.byId(h.deps.database.kysely, r.template_version_id);
    const g = typeof which === 'string' ? template.gates.find((x) => x.id === which) : which;
    if (!g) throw new Error(`no gate ${typeof which === 'string' ? which : which.id}`);
    return evaluateGate(template, g, toSnapshot(r, await loadLifecycleRows(h.deps.database.kysely, r.id)));
  };
  const noticesOf = async (name: string) => (await releaseEvidence(h.deps, { name })).notifications;

  it('a checklist task sent by mail is "sent, awaiting delivery" until the mail server accepts it, then done by the sender', async () => {
    const name = await newRelease();
    smtp.refuse.everything = 451;
    try {
      const sent = await sendReleaseMail(
        h.deps,
        lead,
        { name: name },
        {
          template: 'deployment-notice',
          note: 'Packages are on the share.',
        },
      );
      expect(sent.tasksAwaitingDelivery).toEqual(['inform-deployment-team']);
      const waiting = (await releaseChecklist(h.deps, { name })).tasks.find((t) => t.task === 'inform-deployment-team');
      expect(waiting).toMatchObject({
        status: 'sent',
        statusText: 'sent, awaiting delivery',
        completedBy: null,
        completedAt: null,
        evidence: { mailId: sent.id, messageId: sent.messageId, sentBy: lead.username },
      });
      // Sent again while the first waits: the task is not open, so it is not taken twice.
      expect((await sendReleaseMail(h.deps, lead, { name: name }, { template: 'deployment-notice' })).tasksAwaitingDelivery).toEqual([]);

      // The server says "try later": still pending, still not done, and a gate on the task does not pass.
      expect(await deliverDueMail(h.deps, { transport: smtpTo(smtp.port), from: FROM })).toMatchObject({ sent: 0, failed: 2 });
      expect((await taskRow(name, 'inform-deployment-team')).status).toBe('sent');
      const checklistGate = await gate(name, { id: 'informed', name: 'Informed', check: { checklistDone: 'inform-deployment-team' } });
      expect(checklistGate.pass).toBe(false);
      expect(checklistGate.reasons[0]).toMatch(/is not done: its mail was sent and awaits delivery/);

      // The server takes it: done, by the sender, at acceptance, with the mail as evidence; audited by the delivery job.
      smtp.refuse.everything = undefined;
      mc.advance(30_000);
      const seq = await lastAuditSeq(h.deps);
      expect(await deliverDueMail(h.deps, { transport: smtpTo(smtp.port), from: FROM })).toMatchObject({ sent: 2 });
      const done = await taskRow(name, 'inform-deployment-team');
      expect(done).toMatchObject({
        status: 'done',
        completed_by: lead.username,
        completed_at: mc.now().toISOString(),
        note: 'Packages are on the share.',
      });
      expect(JSON.parse(done.evidence ?? '{}')).toMatchObject({
        mailId: sent.id,
        messageId: sent.messageId,
        acceptedFor: ['deployment-team@example.org'],
      });
      const events = await auditEvents(h.deps, seq);
      expect(events.map((e) => [e.action, e.actor])).toEqual([['mail.delivered', 'system:outbox-delivery']]);
      expect(events[0]?.after).toMatchObject({ mailId: sent.id, tasks: [{ task: 'inform-deployment-team', status: 'done' }] });
    } finally {
      smtp.refuse.everything = undefined;
    }
  });

  it('reopens a task whose mail is refused for good, and says why', async () => {
    const name = await newRelease();
    smtp.refuse.everything = 554;
    try {
      const sent = await sendReleaseMail(h.deps, lead, { name: name }, { template: 'release-notes' });
      expect(sent.tasksAwaitingDelivery).toEqual(['send-release-notes']);
      const seq = await lastAuditSeq(h.deps);
      // 554 is permanent: given up at once rather than tried ten times.
      expect(await deliverDueMail(h.deps, { transport: smtpTo(smtp.port), from: FROM })).toMatchObject({ gaveUp: 1 });
      expect(await outboxRow(sent.id)).toMatchObject({ status: 'failed', attempts: 1 });
      const task = await taskRow(name, 'send-release-notes');
      expect(task).toMatchObject({ status: 'open', completed_by: null, evidence: null });
      expect(task.note).toContain(`${sent.messageId} was not delivered: refused for good`);
      const events = await auditEvents(h.deps, seq);
      expect(events.map((e) => [e.action, e.actor])).toEqual([['mail.undelivered', 'system:outbox-delivery']]);
      expect(events[0]?.after.tasks).toEqual([{ task: 'send-release-notes', status: 'open', note: task.note }]);
    } finally {
      smtp.refuse.everything = undefined;
    }
  });

  it('gate 2: a system is notified only when the mail server accepts its address, or by a notice recorded by hand', async () => {
    const name = await newRelease();
    await createContact(h.deps, SYSTEM_ACTOR, undefined, {
      kind: 'external',
      system: 'cats',
      person: 'CATS desk',
      email: 'desk@cats.example',
    });
    await createContact(h.deps, SYSTEM_ACTOR, undefined, {
      kind: 'external',
      system: 'fiscal-intermediary',
      person: 'FI',
      email: 'fi@fi.example',
    });
    await createContact(h.deps, SYSTEM_ACTOR, undefined, { kind: 'external', system: 'meds', person: 'MEDS desk', phone: '555-0100' });

    // MEDS has no address: the send is refused, naming it, and nothing is queued or recorded.
    const before = await rowCount(h.deps, 'mail_outbox');
    const err = await rejectsWith(
      sendReleaseMail(h.deps, lead, { name: name }, { template: 'external-notice', systems: ['cats', 'meds', 'fiscal-intermediary'] }),
      ValidationError,
    );
    expect(err.message).toBe('no e-mail address for MEDS');
    expect(err.problems).toEqual([{ path: 'systems', message: expect.stringMatching(/^MEDS \(meds\) has no e-mail address/) }]);
    expect(await rowCount(h.deps, 'mail_outbox')).toBe(before);
    expect(await noticesOf(name)).toEqual([]);
    await rejectsWith(sendReleaseMail(h.deps, lead, { name: name }, { template: 'external-notice' }), ValidationError);
    await rejectsWith(sendReleaseMail(h.deps, lead, { name: name }, { template: 'external-notice', systems: ['nope'] }), ValidationError);
    await rejectsWith(sendReleaseMail(h.deps, lead, { name: name }, { template: 'no-such-mail' }), ValidationError);

    const notice = await sendReleaseMail(
      h.deps,
      lead,
      { name: name },
      {
        template: 'external-notice',
        systems: ['cats', 'fiscal-intermediary'],
      },
    );
    expect(notice.to).toEqual(['desk@cats.example', 'fi@fi.example']);
    expect((await getMail(h.deps, undefined, notice.id)).body).toContain('Systems notified: CATS, Fiscal intermediary.');
    expect(notice.notifications).toMatchObject([
      { system: 'cats', means: 'email', status: 'pending', addresses: ['desk@cats.example'], messageId: notice.messageId },
      { system: 'fiscal-intermediary', means: 'email', status: 'pending', addresses: ['fi@fi.example'] },
    ]);
    // Queued is not notified.
    let g = await gate(name, 'systems-notified');
    expect(g.pass).toBe(false);
    expect(g.evidence).toEqual([]);
    expect(g.reasons).toEqual([
      `CATS not notified yet: e-mail ${notice.messageId} to desk@cats.example is awaiting delivery`,
      'MEDS has not been notified of the release',
      `Fiscal intermediary not notified yet: e-mail ${notice.messageId} to fi@fi.example is awaiting delivery`,
    ]);

    // The server accepts CATS's address and refuses the fiscal intermediary's.
    smtp.refuse.recipients = ['fi@fi.example'];
    try {
      const seq = await lastAuditSeq(h.deps);
      expect(await deliverDueMail(h.deps, { transport: smtpTo(smtp.port), from: FROM })).toMatchObject({ sent: 1 });
      expect(received.map((m) => m.rcptTo)).toEqual([['desk@cats.example', 'lead@example.org']]);
      const at = mc.now().toISOString();
      g = await gate(name, 'systems-notified');
      expect(g.evidence).toEqual([
        { what: `CATS notified: e-mail ${notice.messageId} accepted for desk@cats.example at ${at}`, by: lead.username, at },
      ]);
      expect(g.reasons).toEqual([
        'MEDS has not been notified of the release',
        `Fiscal intermediary not notified: e-mail ${notice.messageId} to fi@fi.example was not delivered (the mail server refused fi@fi.example)`,
      ]);
      expect((await noticesOf(name)).map((n) => [n.system, n.status, n.accepted])).toEqual([
        ['cats', 'notified', ['desk@cats.example']],
        ['fiscal-intermediary', 'failed', []],
      ]);
      const events = await auditEvents(h.deps, seq);
      expect(events.map((e) => [e.action, e.actor])).toEqual([['mail.delivered', 'system:outbox-delivery']]);
      expect(events[0]?.after.notifications.map((n: { system: string; status: string }) => [n.system, n.status])).toEqual([
        ['cats', 'notified'],
        ['fiscal-intermediary', 'failed'],
      ]);
    } finally {
      smtp.refuse.recipients = [];
    }

    // MEDS by phone and the fiscal intermediary in a meeting: notices made another way, shown as such.
    await rejectsWith(recordNotification(h.deps, lead, { name }, { system: 'meds', means: 'phone', note: ' ' }), ValidationError);
    await rejectsWith(recordNotification(h.deps, lead, { name }, { system: 'meds', means: 'email', note: 'sent' }), ValidationError);
    await recordNotification(h.deps, lead, { name }, { system: 'meds', means: 'phone', note: 'told Jo at the MEDS desk' });
    await recordNotification(h.deps, lead, { name }, { system: 'fiscal-intermediary', means: 'meeting', note: 'weekly call' });
    g = await gate(name, 'systems-notified');
    expect(g.pass).toBe(true);
    expect(g.evidence.map((e) => e.what)).toEqual([
      `CATS notified: e-mail ${notice.messageId} accepted for desk@cats.example at ${mc.now().toISOString()}`,
      'MEDS notified by phone: told Jo at the MEDS desk',
      'Fiscal intermediary notified in a meeting: weekly call',
    ]);
  });

  it('gate 2: a notice whose mail is given up is not notified; retrying the mail makes it pending again', async () => {
    const name = await newRelease();
    smtp.refuse.everything = 550;
    try {
      const notice = await sendReleaseMail(h.deps, lead, { name: name }, { template: 'external-notice', systems: ['cats'] });
      expect(await deliverDueMail(h.deps, { transport: smtpTo(smtp.port), from: FROM })).toMatchObject({ gaveUp: 1 });
      let n = (await noticesOf(name))[0];
      expect(n).toMatchObject({ status: 'failed', outcome: expect.stringContaining('refused for good') });
      expect((await gate(name, 'systems-notified')).reasons[0]).toMatch(
        /^CATS not notified: e-mail .* was not delivered \(refused for good/,
      );

      smtp.refuse.everything = undefined;
      await retryMail(h.deps, lead, undefined, notice.id);
      expect((await noticesOf(name))[0]?.status).toBe('pending');
      expect(await deliverDueMail(h.deps, { transport: smtpTo(smtp.port), from: FROM })).toMatchObject({ sent: 1 });
      n = (await noticesOf(name))[0];
      expect(n).toMatchObject({ status: 'notified', accepted: ['desk@cats.example'] });
    } finally {
      smtp.refuse.everything = undefined;
    }
  });

  it('gate 2: a mail written only to the local maildir notifies nobody', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'relman-maildir-'));
    try {
      const name = await newRelease();
      await sendReleaseMail(h.deps, lead, { name: name }, { template: 'external-notice', systems: ['cats'] });
      expect(await deliverDueMail(h.deps, { transport: new MaildirTransport(dir), from: FROM })).toMatchObject({ sent: 1 });
      expect((await noticesOf(name))[0]).toMatchObject({
        status: 'failed',
        outcome: 'no SMTP server is configured: it was only written to the local maildir',
      });
      expect((await gate(name, 'systems-notified')).pass).toBe(false);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('sends the sign-off confirmation when the CMC signs a release off (P15)', async () => {
    const name = await newRelease();
    const seq = await lastAuditSeq(h.deps);
    await decideApproval(
      h.deps,
      cmc,
      { name },
      {
        step: 'final-signoff',
        decision: 'approve',
        comment: 'All good.',
        attestations: ['requirements-addressed', 'implementation-succeeded'],
      },
    );
    const mails = (await listMail(h.deps, { release: name, limit: 50, offset: 0 })).items;
    expect(mails).toMatchObject([
      {
        template: 'signoff-confirmation',
        cause: 'approval.final-signoff',
        to: ['deployment-team@example.org', 'lead@example.org'],
        subject: `${name} signed off`,
        createdBy: cmc.username,
      },
    ]);
    const body = (await getMail(h.deps, undefined, mails[0]?.id ?? '')).body;
    expect(body).toContain(`Ann Coordinator confirms that release ${name} (Totals fix) addresses the`);
    expect(body).toContain('- The release addresses the signed-off requirements\n- The implementation succeeded');
    expect(body).toContain('All good.');
    // One write, one audit event: the approval lists the mail it queued.
    const events = await auditEvents(h.deps, seq);
    expect(events.map((e) => e.action)).toEqual(['approval.approve']);
    expect(events[0]?.after.mails).toEqual([{ template: 'signoff-confirmation', mailId: mails[0]?.id, messageId: mails[0]?.messageId }]);
    // Another step without notify sends nothing.
    await decideApproval(h.deps, cmc, { name }, { step: 'at-go-ahead', decision: 'approve' });
    expect((await listMail(h.deps, { release: name, limit: 50, offset: 0 })).total).toBe(1);
  });

  it('seeds contacts and groups of a new application from its template', async () => {
    const yaml = templateYaml((doc) => {
      doc.key = `seeded-${dialect}`;
      delete doc.defaultApplication;
      doc.contacts = {
        resources: [{ role: 'deployment', person: 'Olga Ops', email: 'olga@example.org' }],
        escalation: [
          { order: 2, role: 'cmc', person: 'Second Level', phone: '555-0002' },
          { order: 1, role: 'technical-lead', person: 'First Level', email: 'first@example.org' },
        ],
        groups: [
          { id: 'deployment-team', name: 'Deployment', email: 'deploy@other.example' },
          { id: 'dba', name: 'DBAs', email: 'dba@example.org' },
        ],
      };
    });
    await publishTemplate(h.deps, SYSTEM_ACTOR, { yaml }).catch((e: { problems?: unknown }) => {
      throw new Error(JSON.stringify(e.problems ?? e));
    });
    await createApplication(h.deps, SYSTEM_ACTOR, { key: `app-${dialect}`, name: 'Seeded', templateKey: `seeded-${dialect}` });
    expect(await listContacts(h.deps, `app-${dialect}`)).toMatchObject([
      { kind: 'escalation', order: 1, person: 'First Level', role: 'technical-lead' },
      { kind: 'escalation', order: 2, person: 'Second Level', phone: '555-0002' },
      { kind: 'resource', order: 1, person: 'Olga Ops', role: 'deployment', email: 'olga@example.org' },
    ]);
    expect((await listGroups(h.deps, `app-${dialect}`)).map((g) => [g.key, g.email])).toEqual([
      ['dba', 'dba@example.org'],
      ['deployment-team', 'deploy@other.example'],
    ]);
    // The default application's lists are its own.
    expect((await listGroups(h.deps, undefined)).map((g) => g.key)).toEqual(['deployment-team']);
  });

  it('writes to a maildir when no SMTP server is configured', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'relman-maildir-'));
    try {
      const name = await newRelease();
      const m = await sendReleaseMail(h.deps, lead, { name: name }, { template: 'release-notes', note: 'Ünïcode — fine' });
      expect(await deliverDueMail(h.deps, { transport: new MaildirTransport(dir), from: FROM })).toMatchObject({ sent: 1 });
      expect(readdirSync(path.join(dir, 'tmp'))).toEqual([]);
      const files = readdirSync(path.join(dir, 'new'));
      expect(files).toHaveLength(1);
      const raw = readFileSync(path.join(dir, 'new', files[0] ?? ''), 'utf8');
      expect(raw).toContain(`Message-ID: ${m.messageId}`);
      expect(raw).toContain('From: relman <relman@test.example>');
      expect(raw).toMatch(/^To: deployment-team@example.org\r$/m);
      expect(raw).toMatch(/^Cc: lead@example.org\r$/m);
      expect(raw).toContain(`Subject: ${name}: release notes`);
      expect(raw).toMatch(/^Date: /m);
      expect(raw).toContain('\r\n\r\n');
      expect(await outboxRow(m.id)).toMatchObject({ status: 'sent', transport: 'maildir' });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

async function isClosed(port: number): Promise<boolean> {
  const net = await import('node:net');
  return new Promise((resolve) => {
    const s = net.connect(port, '127.0.0.1');
    s.once('connect', () => {
      s.destroy();
      resolve(false);
    });
    s.once('error', () => resolve(true));
  });
}
