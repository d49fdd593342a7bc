import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SmtpTransport } from '../../src/integrations/mail/smtp.js';
import { deliverDueMail } from '../../src/jobs/outbox-delivery.js';
import { dialects } from '../support/databases.js';
import { harness, type Harness } from '../support/harness.js';
import { expectJson, expectProblem } from '../support/http.js';
import {
  approve,
  makeCrew,
  move,
  packageAndVerify,
  recordTest,
  rel,
  releaseWithItem,
  strictApp,
  tickingClock,
  V,
  type Crew,
} from '../support/lifecycle-http.js';
import { startSmtp, type ReceivedMail, type TestSmtp } from '../support/smtp.js';

describe.each(dialects)('approval requests and --advance over HTTP on $name', ({ name: dialect }) => {
  let h: Harness;
  let app: FastifyInstance;
  let crew: Crew;
  let smtp: TestSmtp;
  const received: ReceivedMail[] = [];

  beforeAll(async () => {
    h = await harness(dialect, tickingClock());
    app = await strictApp(h.deps);
    crew = await makeCrew(app, h.deps);
    smtp = await startSmtp(0, received);
    for (const [u, e] of [
      ['cmc-ann', 'ann@example.org'],
      ['cmc-bob', 'bob@example.org'],
    ] as const)
      await h.deps.database.kysely.updateTable('users').set({ email: e }).where('username', '=', u).execute();
  });
  afterAll(async () => {
    await smtp?.stop();
    await app?.close();
    await h?.close();
  });

  const newRelease = () =>
    releaseWithItem(
      crew.lead,
      crew.lead,
      { type: 'scheduled', channels: ['database'] },
      { kind: 'IR', helpdeskRef: 'HD-1', title: 'Totals' },
    );

  it('a request answers with the mail queued to the people who may approve it, which an SMTP server then receives', async () => {
    const { name } = await newRelease();
    const r = expectJson(await crew.cmcA('POST', rel(name, '/approvals/at-go-ahead/requests'), { comment: 'please' }), 201);
    expect(r).toMatchObject({
      step: 'at-go-ahead',
      requestedBy: 'cmc-ann',
      mail: { queued: true, template: 'approval-request', to: ['bob@example.org'], cc: [] },
    });
    const mail = expectJson(await crew.viewer('GET', `${V}/mail/${r.mail.mailId}`), 200);
    expect(mail).toMatchObject({ status: 'pending', cause: 'approval.request.at-go-ahead', release: name });
    expect(mail.body).toContain(`relman release approve ${name} at-go-ahead`);
    // The link at the end opens the release's page in the browser, not the API.
    expect(mail.body.trimEnd().split('\n').at(-1)).toBe(`http://127.0.0.1:8080/releases/${name}`);
    const transport = new SmtpTransport(
      { host: '127.0.0.1', port: smtp.port, secure: false, requireStartTls: false, auth: undefined, tlsRejectUnauthorized: true },
      { connectMs: 3000, socketMs: 10_000 },
    );
    expect(await deliverDueMail(h.deps, { transport, from: 'relman <relman@test.example>' })).toMatchObject({ sent: 1 });
    expect(received.map((m) => [m.rcptTo, m.messageId])).toEqual([[['bob@example.org'], r.mail.messageId]]);
    expect(expectJson(await crew.viewer('GET', `${V}/mail/${r.mail.mailId}`), 200)).toMatchObject({ status: 'sent' });
  });

  it('a request nobody can be told of still stands and answers why', async () => {
    const { name } = await newRelease();
    await h.deps.database.kysely.updateTable('users').set({ email: null }).where('username', '=', 'cmc-bob').execute();
    try {
      const r = expectJson(await crew.cmcA('POST', rel(name, '/approvals/at-signoff/requests'), {}), 201);
      expect(r.mail).toEqual({
        queued: false,
        template: 'approval-request',
        reason:
          'nobody who may give "Acceptance test sign-off" can be e-mailed: cmc-ann asked for it and may not give it (separation of duties); cmc-bob has no e-mail address',
      });
      const steps = expectJson(await crew.viewer('GET', rel(name, '/approvals')), 200);
      expect(steps.find((s: { step: string }) => s.step === 'at-signoff').requester).toBe('cmc-ann');
    } finally {
      await h.deps.database.kysely.updateTable('users').set({ email: 'bob@example.org' }).where('username', '=', 'cmc-bob').execute();
    }
  });

  it('advance: true approves and takes the transition it completes; when that cannot be taken, says why', async () => {
    const { name, item } = await newRelease();
    await packageAndVerify(crew, name, ['database']);
    const held = expectJson(await approve(crew.cmcA, name, 'at-go-ahead', { advance: true }), 201);
    expect(held).toMatchObject({ decision: 'approved', decidedBy: 'cmc-ann' });
    expect(held.advance).toEqual({
      taken: false,
      reason: '"Install in acceptance test" cannot be taken now',
      transitions: [
        {
          id: 'install-in-at',
          name: 'Install in acceptance test',
          unmet: ['"Install in acceptance test" is for technical-lead, database-lead, web-lead; you hold none of these roles'],
        },
      ],
    });
    await move(crew.lead, name, 'install-in-at');
    expectJson(await recordTest(crew.analyst, name, { item, environment: 'acceptance-test', result: 'passed' }), 201);
    const both = expectJson(await approve(crew.cmcA, name, 'at-signoff', { advance: true, comment: 'AT done' }), 201);
    expect(both.advance).toMatchObject({
      taken: true,
      transition: { transition: 'complete-at', from: 'in-at', to: 'at-signed-off', performedBy: 'cmc-ann', comment: 'AT done' },
    });
    expect(expectJson(await crew.viewer('GET', rel(name)), 200)).toMatchObject({ state: 'at-signed-off' });
    const plain = expectJson(await approve(crew.cmcA, name, 'production-approval'), 201);
    expect(plain).not.toHaveProperty('advance');
  });

  it('advance must be a boolean and goes with an approval only', async () => {
    const { name } = await newRelease();
    const bad = expectProblem(await approve(crew.cmcA, name, 'at-go-ahead', { advance: 'yes' }), 400);
    expect(bad.errors?.map((e) => e.path)).toEqual(['advance']);
    const withReject = expectProblem(
      await crew.cmcA('POST', rel(name, '/approvals'), { step: 'at-go-ahead', decision: 'reject', comment: 'no', advance: true }),
      422,
    );
    expect(withReject.errors).toEqual([
      { path: 'advance', message: 'only an approval can advance the release; a rejection sends it where the template says' },
    ]);
  });
});
