import { createHash } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SmtpTransport } from '../../src/integrations/mail/smtp.js';
import { deliverDueMail, backoffMs, MAX_ATTEMPTS } from '../../src/jobs/outbox-delivery.js';
import { dialects } from '../support/databases.js';
import { harness, type Harness } from '../support/harness.js';
import { expectJson, expectProblem } from '../support/http.js';
import { makeCrew, strictApp, V, type Crew } from '../support/lifecycle-http.js';
import { auditEvents, lastAuditSeq, manualClock } from '../support/service-fixtures.js';
import { startSmtp, type ReceivedMail, type TestSmtp } from '../support/smtp.js';
import { freePort } from '../support/cli-process.js';

/** The smallest valid ZIP: one stored entry `index.html` holding `hi`. */
const TINY_ZIP = Buffer.from(
  'UEsDBBQAAAgAAAAAISisKpPYAgAAAAIAAAAKAAAAaW5kZXguaHRtbGhpUEsBAj8DFAAACAAAAAAhKKwqk9gCAAAAAgAAAAoACQAAAAAAAAAAALSBAAAAAGluZGV4Lmh0bWxVVAUAA4BDbThQSwUGAAAAAAEAAQBBAAAAKgAAAAAA',
  'base64',
);
const FROM = 'relman <relman@test.example>';

describe.each(dialects)('mail and contact routes on $name', ({ name: dialect }) => {
  const mc = manualClock('2030-03-04T08:00:00.000Z');
  let h: Harness;
  let app: FastifyInstance;
  let crew: Crew;
  let release: string;
  let smtp: TestSmtp;
  const received: ReceivedMail[] = [];
  const transport = () =>
    new SmtpTransport(
      { host: '127.0.0.1', port: smtp.port, secure: false, requireStartTls: false, auth: undefined, tlsRejectUnauthorized: true },
      { connectMs: 3000 },
    );

  beforeAll(async () => {
    h = await harness(dialect, mc.clock);
    app = await strictApp({ ...h.deps, publicUrl: 'https://relman.example.org/' });
    crew = await makeCrew(app, h.deps);
    await h.deps.database.kysely
      .updateTable('users')
      .set({ email: 'lee@example.org' })
      .where('username', '=', crew.lead.username)
      .execute();
    smtp = await startSmtp(0, received);
    const r = expectJson(
      await crew.lead('POST', `${V}/releases`, { type: 'scheduled', plannedDate: '2030-03-16', channels: ['web'] }),
      201,
    );
    release = r.name as string;
  });
  afterAll(async () => {
    await smtp?.stop();
    await app?.close();
    await h?.close();
  });

  it('sends a release mail with each package’s checksum and download address, and the address serves the file', async () => {
    const up = await crew.webLead('PUT', `${V}/releases/${release}/packages/web/files/static.zip`, TINY_ZIP, {
      'content-type': 'application/octet-stream',
    });
    expectJson(up, 201);
    const sha = createHash('sha256').update(TINY_ZIP).digest('hex');
    const seq = await lastAuditSeq(h.deps);
    const sent = expectJson(
      await crew.lead('POST', `${V}/releases/${release}/mail`, { template: 'deployment-notice', note: 'Ready.', to: ['ops@example.org'] }),
      201,
    );
    expect(sent).toMatchObject({
      template: 'deployment-notice',
      release,
      status: 'pending',
      to: ['deployment-team@example.org', 'ops@example.org'],
      cc: ['lee@example.org'],
      createdBy: crew.lead.username,
    });
    expect((await auditEvents(h.deps, seq)).map((e) => e.action)).toContain('mail.queue');
    const shown = expectJson(await crew.viewer('GET', `${V}/mail/${sent.id}`), 200);
    const url = `https://relman.example.org/api/v1/releases/${release}/packages/web/1/file`;
    expect(shown.body).toContain(`SHA-256: ${sha}`);
    expect(shown.body).toContain(`get it:  ${url}`);
    expect(shown.body).toContain(`static.zip, ${TINY_ZIP.length} bytes`);
    const file = await crew.viewer('GET', url.replace('https://relman.example.org', ''));
    expect(file.statusCode).toBe(200);
    expect(file.headers['x-checksum-sha256']).toBe(sha);

    expect(await deliverDueMail(h.deps, { transport: transport(), from: FROM })).toMatchObject({ sent: 1 });
    expect(received).toHaveLength(1);
    expect(received[0]?.text).toContain(url);
    const listed = expectJson(await crew.viewer('GET', `${V}/mail?release=${release}&status=sent`), 200);
    expect(listed.items.map((m: { id: string }) => m.id)).toEqual([sent.id]);
    expect(listed.items[0]).toMatchObject({ status: 'sent', attempts: 1, transport: 'smtp', sentAt: mc.now().toISOString() });
    expectProblem(await crew.lead('POST', `${V}/mail/${sent.id}/retry`, {}), 409, 'mail-sent');
  });

  it('answers bad requests with problems', async () => {
    const post = (body: unknown, who = crew.lead) => who('POST', `${V}/releases/${release}/mail`, body);
    expectProblem(await post({}), 400, 'validation');
    expectProblem(await post({ template: 'deployment-notice', to: ['not an address'] }), 400, 'validation');
    expectProblem(await post({ template: 'deployment-notice', extra: 1 }), 400, 'validation');
    expect(expectProblem(await post({ template: 'nope' }), 422, 'validation').errors?.[0]?.path).toBe('template');
    expectProblem(await post({ template: 'external-notice' }), 422, 'validation');
    expectProblem(await post({ template: 'external-notice', systems: ['unknown'] }), 422, 'validation');
    expectProblem(await post({ template: 'deployment-notice' }, crew.viewer), 403, 'forbidden');
    expectProblem(await post({ template: 'deployment-notice' }, crew.dev), 403, 'forbidden');
    expectProblem(await crew.lead('POST', `${V}/releases/NOPE999/mail`, { template: 'deployment-notice' }), 404, 'not-found');
    expectProblem(await crew.viewer('GET', `${V}/mail?status=lost`), 400, 'validation');
    expectProblem(await crew.viewer('GET', `${V}/mail/not-a-mail`), 404, 'not-found');
    expectProblem(await crew.viewer('GET', `${V}/mail/00000000-0000-4000-8000-000000000000`), 404, 'not-found');
    expectProblem(await crew.viewer('GET', `${V}/mail`, undefined, { authorization: 'Bearer nope' }), 401);
  });

  it('shows a mail that failed for good, and the retry route sends it', async () => {
    const port = await freePort();
    const down = new SmtpTransport(
      { host: '127.0.0.1', port, secure: false, requireStartTls: false, auth: undefined, tlsRejectUnauthorized: true },
      { connectMs: 3000 },
    );
    const sent = expectJson(await crew.lead('POST', `${V}/releases/${release}/mail`, { template: 'release-notes' }), 201);
    for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
      await deliverDueMail(h.deps, { transport: down, from: FROM });
      mc.advance(backoffMs(attempt));
    }
    const failed = expectJson(await crew.viewer('GET', `${V}/mail?status=failed`), 200);
    expect(failed.items).toMatchObject([
      { id: sent.id, status: 'failed', attempts: MAX_ATTEMPTS, lastError: expect.stringMatching(/ECONNREFUSED/) },
    ]);
    expectProblem(await crew.viewer('POST', `${V}/mail/${sent.id}/retry`, {}), 403, 'forbidden');
    const retried = expectJson(await crew.cmcA('POST', `${V}/mail/${sent.id}/retry`, {}), 200);
    expect(retried).toMatchObject({ status: 'pending', nextAttemptAt: mc.now().toISOString() });
    received.length = 0;
    expect(await deliverDueMail(h.deps, { transport: transport(), from: FROM })).toMatchObject({ sent: 1 });
    expect(received.map((r) => r.messageId)).toEqual([sent.messageId]);
    expect(expectJson(await crew.viewer('GET', `${V}/mail/${sent.id}`), 200)).toMatchObject({ status: 'sent', attempts: MAX_ATTEMPTS + 1 });
  });

  it('manages contacts and groups, which mails then reach', async () => {
    const cmc = crew.cmcA;
    expectProblem(await cmc('POST', `${V}/contacts`, { kind: 'resource', person: 'No Role' }), 422, 'validation');
    expectProblem(await cmc('POST', `${V}/contacts`, { kind: 'resource', role: 'astronaut', person: 'X' }), 422, 'validation');
    expectProblem(await cmc('POST', `${V}/contacts`, { kind: 'external', person: 'X' }), 422, 'validation');
    expectProblem(await cmc('POST', `${V}/contacts`, { kind: 'external', system: 'nope', person: 'X' }), 422, 'validation');
    expectProblem(await cmc('POST', `${V}/contacts`, { kind: 'escalation', role: 'cmc', person: 'X', email: 'bad' }), 400, 'validation');
    expectProblem(await cmc('POST', `${V}/contacts`, { kind: 'martian', role: 'cmc', person: 'X' }), 400, 'validation');
    expectProblem(await crew.lead('POST', `${V}/contacts`, { kind: 'resource', role: 'cmc', person: 'X' }), 403, 'forbidden');

    const first = expectJson(
      await cmc('POST', `${V}/contacts`, { kind: 'escalation', role: 'technical-lead', person: 'First', phone: '555-1' }),
      201,
    );
    const second = expectJson(await cmc('POST', `${V}/contacts`, { kind: 'escalation', role: 'cmc', person: 'Second' }), 201);
    expect([first.order, second.order]).toEqual([1, 2]);
    const cats = expectJson(
      await cmc('POST', `${V}/contacts`, { kind: 'external', system: 'cats', person: 'CATS desk', email: 'desk@cats.example' }),
      201,
    );
    expect(cats).toMatchObject({ kind: 'external', system: 'cats', role: null, order: 1 });
    const res = expectJson(
      await cmc('POST', `${V}/contacts`, { kind: 'resource', role: 'deployment', person: 'Olga', email: 'olga@example.org' }),
      201,
    );
    const patched = expectJson(await cmc('PATCH', `${V}/contacts/${first.id}`, { phone: null, email: 'first@example.org', order: 3 }), 200);
    expect(patched).toMatchObject({ person: 'First', phone: null, email: 'first@example.org', order: 3 });
    expectProblem(await cmc('PATCH', `${V}/contacts/${first.id}`, { role: null }), 422, 'validation');
    expectProblem(await cmc('PATCH', `${V}/contacts/00000000-0000-4000-8000-000000000000`, { person: 'Y' }), 404, 'not-found');
    expect(expectJson(await crew.viewer('GET', `${V}/contacts?kind=escalation`), 200).map((c: { person: string }) => c.person)).toEqual([
      'Second',
      'First',
    ]);
    expect(await cmc('DELETE', `${V}/contacts/${second.id}`)).toMatchObject({ statusCode: 204 });
    expectProblem(await cmc('DELETE', `${V}/contacts/${second.id}`), 404, 'not-found');

    expectProblem(await cmc('POST', `${V}/groups`, { key: 'deployment-team', name: 'Again', email: 'x@example.org' }), 409);
    expectProblem(await cmc('POST', `${V}/groups`, { key: 'dba', name: 'DBAs', email: 'not-an-address' }), 400, 'validation');
    expectJson(await cmc('POST', `${V}/groups`, { key: 'dba', name: 'DBAs', email: 'dba@example.org', description: 'Database team' }), 201);
    const group = expectJson(await cmc('PATCH', `${V}/groups/deployment-team`, { email: 'cio-ebusiness@example.org' }), 200);
    expect(group).toMatchObject({ key: 'deployment-team', email: 'cio-ebusiness@example.org' });
    expect(expectJson(await crew.viewer('GET', `${V}/groups`), 200).map((g: { key: string }) => g.key)).toEqual(['dba', 'deployment-team']);
    expect(await cmc('DELETE', `${V}/groups/dba`)).toMatchObject({ statusCode: 204 });
    expectProblem(await cmc('PATCH', `${V}/groups/dba`, { name: 'Gone' }), 404, 'not-found');

    // The contacts are where mail goes: the group's new address, the resource list for role:deployment, the system's desk.
    const notice = expectJson(
      await crew.lead('POST', `${V}/releases/${release}/mail`, { template: 'external-notice', systems: ['cats'], to: ['role:deployment'] }),
      201,
    );
    expect(notice.to).toEqual(['desk@cats.example', 'olga@example.org']);
    expect(notice.notifications).toMatchObject([{ system: 'cats', recordedBy: crew.lead.username }]);
    const evidence = expectJson(await crew.viewer('GET', `${V}/releases/${release}/evidence`), 200);
    expect(JSON.stringify(evidence)).toContain(notice.messageId);
    const notes = expectJson(await crew.lead('POST', `${V}/releases/${release}/mail`, { template: 'release-notes' }), 201);
    expect(notes.to).toEqual(['cio-ebusiness@example.org']);
    expect(res.id).toBeTruthy();
  });

  it('documents every mail and contact route in the OpenAPI document', async () => {
    const doc = expectJson(await app.inject({ method: 'GET', url: `${V}/openapi.json` }), 200);
    const paths = [
      '/api/v1/releases/{name}/mail',
      '/api/v1/mail',
      '/api/v1/mail/{id}',
      '/api/v1/mail/{id}/retry',
      '/api/v1/contacts',
      '/api/v1/contacts/{id}',
      '/api/v1/groups',
      '/api/v1/groups/{key}',
    ];
    for (const p of paths) {
      expect(doc.paths[p], p).toBeDefined();
      for (const op of Object.values<{ summary?: string }>(doc.paths[p])) expect(op.summary, p).toMatch(/\w/);
    }
  });
});
