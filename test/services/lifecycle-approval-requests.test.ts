import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ValidationError } from '../../src/domain/errors.js';
import { SmtpTransport } from '../../src/integrations/mail/smtp.js';
import { deliverDueMail } from '../../src/jobs/outbox-delivery.js';
import { SYSTEM_ACTOR } from '../../src/services/actor.js';
import { createApplication } from '../../src/services/applications.js';
import type { ServiceDeps } from '../../src/services/deps.js';
import { decideApproval, listApprovals, requestApproval } from '../../src/services/lifecycle/approvals.js';
import { releaseHistory } from '../../src/services/lifecycle/transitions.js';
import { listMail } from '../../src/services/mail/read.js';
import { createRelease, getRelease } from '../../src/services/releases.js';
import { publishTemplate } from '../../src/services/templates.js';
import { dialects } from '../support/databases.js';
import { crewPerTest } from '../support/factories.js';
import { userWith } from '../support/harness.js';
import { startFlow, type Crew } from '../support/lifecycle-flow.js';
import { auditEvents, lastAuditSeq, rejectsWith, REVIEWED, rowCount, templateYaml, type ManualClock } from '../support/service-fixtures.js';
import { startSmtp, type ReceivedMail, type TestSmtp } from '../support/smtp.js';

const GO_AHEAD = 'Go-ahead to install in acceptance test';
const FROM = 'relman <relman@test.example>';
const smtpTo = (port: number) =>
  new SmtpTransport(
    { host: '127.0.0.1', port, secure: false, requireStartTls: false, auth: undefined, tlsRejectUnauthorized: true },
    { connectMs: 3000, socketMs: 10_000 },
  );

describe.each(dialects)('approval requests e-mail the approvers; an approval may advance the release ($name)', ({ name: dialect }) => {
  let deps: ServiceDeps, clock: ManualClock, crew: Crew;
  let smtp: TestSmtp;
  const received: ReceivedMail[] = [];

  beforeAll(async () => {
    smtp = await startSmtp(0, received);
  });
  afterAll(async () => smtp?.stop());
  crewPerTest(dialect, (b) => ({ deps, clock, crew } = b));
  afterEach(() => {
    received.length = 0;
  });

  const setEmail = (username: string, email: string | null) =>
    deps.database.kysely.updateTable('users').set({ email }).where('username', '=', username).execute();
  const deliver = () => deliverDueMail(deps, { transport: smtpTo(smtp.port), from: FROM });
  const publish = async (change: (doc: Record<string, any>) => void) => {
    const yaml = templateYaml((doc) => {
      doc.revision = { changes: 'approval requests', ...REVIEWED };
      change(doc);
    });
    await publishTemplate(deps, SYSTEM_ACTOR, { yaml }).catch((e: { problems?: unknown }) => {
      throw new Error(JSON.stringify(e.problems ?? e));
    });
  };

  it('a request e-mails every active coordinator with an address but the requester; the SMTP server receives it', async () => {
    await setEmail('carol', 'carol@example.org');
    await setEmail('chris', 'chris@example.org');
    await userWith(deps, ['cmc'], 'cleo'); // no address
    await userWith(deps, ['cmc'], 'gus');
    await deps.database.kysely.updateTable('users').set({ email: 'gus@example.org', disabled: 1 }).where('username', '=', 'gus').execute();
    const f = await startFlow(deps, clock, crew);
    await f.toPackageVerified();
    const seq = await lastAuditSeq(deps);
    const ref = { name: f.name };

    const req = await requestApproval(deps, crew.cmc2, ref, {
      step: 'at-go-ahead',
      comment: 'Packages verified, please look.',
    });
    expect(req).toEqual({
      step: 'at-go-ahead',
      requestedBy: 'chris',
      requestedAt: clock.now().toISOString(),
      mail: {
        queued: true,
        template: 'approval-request',
        mailId: expect.any(String),
        messageId: expect.stringMatching(/^<.+@relman\.invalid>$/),
        to: ['carol@example.org'],
        cc: [],
      },
    });
    const events = await auditEvents(deps, seq);
    expect(events.map((e) => e.action)).toEqual(['approval.request']);
    expect(events[0]?.after).toEqual({ step: 'at-go-ahead', requestedBy: 'chris', requestedAt: req.requestedAt, mail: req.mail });
    const queued = await listMail(deps, { release: f.name, limit: 50, offset: 0 });
    expect(queued.items).toMatchObject([{ template: 'approval-request', cause: 'approval.request.at-go-ahead', status: 'pending' }]);

    expect(await deliver()).toMatchObject({ sent: 1, failed: 0 });
    expect(received).toHaveLength(1);
    const got = received[0] as ReceivedMail;
    expect(got.rcptTo).toEqual(['carol@example.org']);
    expect(got.subject).toBe(`${f.name}: chris asks for ${GO_AHEAD}`);
    expect(got.text).toContain(`chris asks for "${GO_AHEAD}" on release ${f.name}`);
    expect(got.text).toContain('The release is Package verified.');
    expect(got.text).toContain('It may be given by: Change Management Coordinator.');
    expect(got.text).toContain('Packages verified, please look.');
    expect(got.text).toContain(`Approve:  relman release approve ${f.name} at-go-ahead\n`);
    expect(got.text).toContain(`Reject:   relman release reject ${f.name} at-go-ahead --comment "why"`);
    expect((await listMail(deps, { release: f.name, limit: 50, offset: 0 })).items).toMatchObject([{ status: 'sent' }]);
  });

  it('a lead’s request goes to both coordinators, and lists the statements a sign-off confirms', async () => {
    await setEmail('carol', 'carol@example.org');
    await setEmail('chris', 'chris@example.org');
    const f = await startFlow(deps, clock, crew);
    const req = await requestApproval(deps, crew.lead, { name: f.name }, { step: 'final-signoff' });
    expect(req.mail).toMatchObject({ queued: true, to: ['carol@example.org', 'chris@example.org'] });
    expect(await deliver()).toMatchObject({ sent: 1 });
    const got = received[0] as ReceivedMail;
    expect([...got.rcptTo].sort()).toEqual(['carol@example.org', 'chris@example.org']);
    expect(got.text).toContain('- The release addresses the signed-off requirements (--attest requirements-addressed)\n');
    expect(got.text).toContain('- The implementation succeeded (--attest implementation-succeeded)\n');
  });

  it('when nobody who may approve has an address, the request stands, no mail is queued, and the answer says why', async () => {
    await setEmail('carol', 'carol@example.org');
    const f = await startFlow(deps, clock, crew);
    const seq = await lastAuditSeq(deps);
    // carol has an address but asks herself; chris has none.
    const req = await requestApproval(deps, crew.cmc, { name: f.name }, { step: 'at-go-ahead' });
    expect(req.mail).toEqual({
      queued: false,
      template: 'approval-request',
      reason: `nobody who may give "${GO_AHEAD}" can be e-mailed: carol asked for it and may not give it (separation of duties); chris has no e-mail address`,
    });
    expect(await rowCount(deps, 'mail_outbox')).toBe(0);
    expect((await auditEvents(deps, seq))[0]?.after.mail).toEqual(req.mail);
    expect((await listApprovals(deps, { name: f.name })).find((s) => s.step === 'at-go-ahead')?.requester).toBe('carol');

    await deps.database.kysely.updateTable('users').set({ disabled: 1 }).where('username', 'in', ['carol', 'chris']).execute();
    expect((await requestApproval(deps, crew.lead, { name: f.name }, { step: 'at-go-ahead' })).mail).toEqual({
      queued: false,
      template: 'approval-request',
      reason: `no active user holds a role that may give "${GO_AHEAD}" (Change Management Coordinator)`,
    });
    expect(await deliver()).toMatchObject({ sent: 0 });
    expect(received).toEqual([]);
  });

  it('a template without a request mail: the request stands and says no mail is configured', async () => {
    await setEmail('chris', 'chris@example.org');
    await publish((doc) => {
      doc.mailTemplates = doc.mailTemplates.filter((m: { id: string }) => m.id !== 'approval-request');
    });
    const f = await startFlow(deps, clock, crew);
    const req = await requestApproval(deps, crew.lead, { name: f.name }, { step: 'at-go-ahead' });
    expect(req.mail).toEqual({
      queued: false,
      template: null,
      reason: `the process template names no mail for requests of "${GO_AHEAD}" (notifyOnRequest on the step, or a mail template "approval-request")`,
    });
    expect(await rowCount(deps, 'mail_outbox')).toBe(0);
  });

  it('a step’s own request mail, a requester allowed to approve, approvers who already approved, another application', async () => {
    for (const [u, e] of [
      ['carol', 'carol@example.org'],
      ['chris', 'chris@example.org'],
      ['terry', 'terry@example.org'],
    ] as const)
      await setEmail(u, e);
    await publish((doc) => {
      doc.key = 'other-plan';
      delete doc.defaultApplication;
      const step = (id: string) => doc.approvals.find((a: { id: string }) => a.id === id);
      step('at-go-ahead').allowRequester = true;
      step('at-signoff').required = 2;
      step('at-signoff').notifyOnRequest = 'signoff-ask';
      doc.mailTemplates.push({
        id: 'signoff-ask',
        name: 'AT sign-off wanted',
        cc: ['role:technical-lead'],
        subject: '{{release.name}}: sign-off wanted ({{approval.name}})',
        body: 'Run {{approval.command}}\nPage: {{release.url}}\nAPI: {{release.apiUrl}}\n',
      });
    });
    await createApplication(deps, SYSTEM_ACTOR, { key: 'claims', name: 'Claims', templateKey: 'other-plan' });
    const r = await createRelease(deps, crew.lead, { app: 'claims', type: 'scheduled', plannedDate: '2030-02-02', channels: ['database'] });

    const own = await requestApproval(deps, crew.cmc, { app: 'claims', name: r.name }, { step: 'at-go-ahead' });
    expect(own.mail).toMatchObject({ queued: true, template: 'approval-request', to: ['carol@example.org', 'chris@example.org'] });

    await decideApproval(deps, crew.cmc, { app: 'claims', name: r.name }, { step: 'at-signoff', decision: 'approve' });
    const ask = await requestApproval(deps, crew.lead, { app: 'claims', name: r.name }, { step: 'at-signoff' });
    expect(ask.mail).toMatchObject({ queued: true, template: 'signoff-ask', to: ['chris@example.org'], cc: ['terry@example.org'] });

    expect(await deliver()).toMatchObject({ sent: 2 });
    const signoff = received.find((m) => m.subject.includes('sign-off wanted')) as ReceivedMail;
    expect([...signoff.rcptTo].sort()).toEqual(['chris@example.org', 'terry@example.org']);
    expect(signoff.subject).toBe(`${r.name}: sign-off wanted (Acceptance test sign-off)`);
    expect(signoff.text).toBe(
      [
        `Run relman --app claims release approve ${r.name} at-signoff`,
        `Page: http://127.0.0.1:8080/releases/${r.name}?app=claims`,
        `API: http://127.0.0.1:8080/api/v1/releases/${r.name}?app=claims`,
        '',
      ].join('\n'),
    );
  });

  it('--advance: the CMC’s production approval also approves the release for production, audited as two events', async () => {
    const f = await startFlow(deps, clock, crew);
    await f.toAtSignedOff();
    await f.notifyAll();
    const seq = await lastAuditSeq(deps);
    const before = (await getRelease(deps, { name: f.name })).version;
    clock.advance(60_000);
    const ref = { name: f.name };
    const d = await decideApproval(deps, crew.cmc, ref, {
      step: 'production-approval',
      decision: 'approve',
      comment: 'Go for Saturday',
      advance: true,
    });
    expect(d).toMatchObject({ step: 'production-approval', decision: 'approved', decidedBy: 'carol', comment: 'Go for Saturday' });
    expect(d.advance).toMatchObject({
      taken: true,
      transition: {
        transition: 'approve-for-production',
        from: 'at-signed-off',
        to: 'approved-for-production',
        comment: 'Go for Saturday',
        performedBy: 'carol',
      },
    });
    const events = await auditEvents(deps, seq);
    expect(events.map((e) => [e.action, e.actor])).toEqual([
      ['approval.approve', 'carol'],
      ['release.transition', 'carol'],
    ]);
    expect(events[1]?.after).toMatchObject({ state: 'approved-for-production', transition: 'approve-for-production' });
    const release = await getRelease(deps, { name: f.name });
    expect(release.state).toBe('approved-for-production');
    expect(release.version).toBe(before + 1);
    const last = (await releaseHistory(deps, { name: f.name })).at(-1);
    expect(last?.evidence.gates.find((g) => g.id === 'production-approved')).toMatchObject({
      pass: true,
      evidence: [expect.objectContaining({ by: 'carol' })],
    });
  });

  it('--advance when the transition cannot be taken: the approval stands and the answer lists every unmet condition', async () => {
    const f = await startFlow(deps, clock, crew);
    await f.toAtSignedOff(); // no external system notified yet
    const seq = await lastAuditSeq(deps);
    const d = await decideApproval(deps, crew.cmc, { name: f.name }, { step: 'production-approval', decision: 'approve', advance: true });
    expect(d.advance).toEqual({
      taken: false,
      reason: '"Approve for production" cannot be taken now',
      transitions: [{ id: 'approve-for-production', name: 'Approve for production', unmet: await f.unmet('approve-for-production') }],
    });
    expect(d.advance?.taken === false && d.advance.transitions[0]?.unmet.length).toBeGreaterThan(0);
    expect((await auditEvents(deps, seq)).map((e) => e.action)).toEqual(['approval.approve']);
    expect((await getRelease(deps, { name: f.name })).state).toBe('at-signed-off');
    expect((await listApprovals(deps, { name: f.name })).find((s) => s.step === 'production-approval')?.satisfied).toBe(true);
  });

  it('--advance by someone who may not take the transition, or with none waiting: approved, not moved, and why', async () => {
    const f = await startFlow(deps, clock, crew);
    const early = await decideApproval(deps, crew.cmc, { name: f.name }, { step: 'at-go-ahead', decision: 'approve', advance: true });
    expect(early.advance).toEqual({ taken: false, reason: `no transition from Draft waits for "${GO_AHEAD}"`, transitions: [] });

    const g = await startFlow(deps, clock, crew);
    await g.toPackageVerified();
    const d = await decideApproval(deps, crew.cmc, { name: g.name }, { step: 'at-go-ahead', decision: 'approve', advance: true });
    expect(d.advance).toEqual({
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
    expect((await getRelease(deps, { name: g.name })).state).toBe('package-verified');
    expect(d.decision).toBe('approved');
  });

  it('--advance is refused with a rejection, and nothing is written', async () => {
    const f = await startFlow(deps, clock, crew);
    await f.toPackageVerified();
    const seq = await lastAuditSeq(deps);
    const err = await rejectsWith(
      decideApproval(deps, crew.cmc, { name: f.name }, { step: 'at-go-ahead', decision: 'reject', comment: 'no', advance: true }),
      ValidationError,
    );
    expect(err.problems).toEqual([
      { path: 'advance', message: 'only an approval can advance the release; a rejection sends it where the template says' },
    ]);
    expect(await lastAuditSeq(deps)).toBe(seq);
  });

  it('--advance when the approval completes several transitions: none is taken, and they are listed', async () => {
    await publish((doc) => {
      const wf = doc.workflows.find((w: { id: string }) => w.id === 'scheduled');
      wf.transitions.push({
        id: 'fast-track',
        name: 'Fast track to production',
        from: ['at-signed-off'],
        to: 'approved-for-production',
        roles: ['cmc'],
        gates: ['production-approved'],
      });
    });
    const f = await startFlow(deps, clock, crew);
    await f.toAtSignedOff();
    await f.notifyAll();
    const d = await decideApproval(deps, crew.cmc, { name: f.name }, { step: 'production-approval', decision: 'approve', advance: true });
    expect(d.advance).toEqual({
      taken: false,
      reason:
        '"Approval of the production install" completes several transitions from Acceptance test signed off: approve-for-production, fast-track; take one of them yourself',
      transitions: [
        { id: 'approve-for-production', name: 'Approve for production', unmet: [] },
        { id: 'fast-track', name: 'Fast track to production', unmet: [] },
      ],
    });
    expect((await getRelease(deps, { name: f.name })).state).toBe('at-signed-off');
  });
});
