import { randomUUID } from 'node:crypto';
import os from 'node:os';
import { applicationById } from '../../db/repositories/applications.js';
import { checklistOf, escalationLevels, taskEvidence } from '../../db/repositories/checklist.js';
import {
  activeRuns,
  appendLog,
  expiredSteps,
  renewStepLease,
  runById,
  runningManualSteps,
  stepById,
  stepsOfRun,
  stepRoles,
  stepSpec,
  updateStep,
  type LogLine,
} from '../../db/repositories/deployment-runs.js';
import { mailCc, mailRecipients } from '../../db/repositories/mail-outbox.js';
import { releaseById } from '../../db/repositories/releases.js';
import type { DeploymentRunTable, DeploymentStepTable } from '../../db/schema.js';
import { isAutomatic } from '../../domain/deployments/plan.js';
import { nextStep } from '../../domain/deployments/step-state.js';
import type { MailValues } from '../../domain/mail-template.js';
import type { ArtifactStore } from '../../integrations/storage/artifact-store.js';
import type { Actor } from '../actor.js';
import { completeTaskWithin } from '../checklist/tasks.js';
import type { ServiceDeps } from '../deps.js';
import { lockedReleaseWrite, type LockedWrite } from '../lifecycle/release-lock.js';
import { composeMail } from '../mail/compose.js';
import { enqueueMail } from '../mail/outbox.js';
import { releaseMailValues } from '../mail/release-mail.js';
import { shownState, stepAuditView } from './run-view.js';
import { doStepWork, type WorkResult } from './step-work.js';
import { moveStepWithin } from './step-moves.js';
import { onDeploymentWake } from './wake.js';

/** A manual step's checklist tasks in a mail: each with its note and its evidence link, mail or file. */
async function documentsText(l: LockedWrite, ids: readonly string[]): Promise<string> {
  if (ids.length === 0) return '';
  const tasks = await checklistOf(l.db, l.release.id);
  const lines = ids.flatMap((id) => {
    const t = tasks.find((x) => x.task_id === id);
    if (!t) return [];
    const e = taskEvidence.decode(t.evidence);
    const proof = [e?.link, e?.mailSubject ? `mail "${e.mailSubject}"` : undefined, e?.fileName ? `file ${e.fileName}` : undefined]
      .filter(Boolean)
      .join(', ');
    return [`- ${t.title}: ${t.status === 'done' ? 'done' : t.status}${t.note ? ` — ${t.note}` : ''}${proof ? ` (${proof})` : ''}`];
  });
  return lines.length > 0 ? `Read with it:\n${lines.join('\n')}` : '';
}

/** Who the executor's writes are recorded as. */
export const DEPLOYMENT_ACTOR: Actor = { userId: null, username: 'system:deployment', roles: [] };

export type ExecutorOptions = {
  artifacts: ArtifactStore;
  /** Who holds the leases; a random id per process by default. */
  owner?: string | undefined;
  /** How often it looks for work (default 1000 ms). */
  tickMs?: number | undefined;
  /** How long a lease lasts; renewed at a third of it. A process that dies mid-step shows it running at most this long (default 30 s). */
  leaseMs?: number | undefined;
  transferRetries?: number | undefined;
  transferBackoffMs?: number | undefined;
  killGraceMs?: number | undefined;
  onError?: ((what: string, err: unknown) => void) | undefined;
};

const INTERRUPTED = 'relman stopped while the step ran: what it did is unknown; retry it';

type Ref = { app: string; name: string };

/** Buffers a step's output lines and writes them to the run's log in batches. */
class LogSink {
  readonly #lines: LogLine[] = [];
  #flushing: Promise<void> = Promise.resolve();
  readonly #timer: NodeJS.Timeout;
  constructor(
    private readonly deps: ServiceDeps,
    private readonly runId: string,
    private readonly position: number,
    private readonly onError: (err: unknown) => void,
  ) {
    this.#timer = setInterval(() => void this.flush(), 300);
    this.#timer.unref();
  }
  push(stream: string, line: string): void {
    this.#lines.push({ position: this.position, at: this.deps.clock().toISOString(), stream, line });
    if (this.#lines.length >= 200) void this.flush();
  }
  flush(): Promise<void> {
    const lines = this.#lines.splice(0);
    if (lines.length === 0) return this.#flushing;
    this.#flushing = this.#flushing
      .then(() => this.deps.database.transaction(({ db }) => appendLog(db, this.runId, lines)))
      .catch((err: unknown) => this.onError(err));
    return this.#flushing;
  }
  async close(): Promise<void> {
    clearInterval(this.#timer);
    await this.flush();
  }
}

/**
 * Takes deployment runs forward (docs/deployments.md): begins each run's next
 * step when its turn comes — an automatic one (transfer, command) leased in
 * the `deployment_steps` row and run here, a manual one handed to its people
 * by e-mail — finishes automatic steps with what they did, escalates manual
 * steps that wait too long, and records as interrupted the steps whose lease
 * ran out (their process stopped). With several relman processes on one
 * database each step runs in exactly one of them.
 */
export class DeploymentExecutor {
  readonly owner: string;
  readonly #deps: ServiceDeps;
  readonly #o: Required<Omit<ExecutorOptions, 'owner' | 'onError'>> & Pick<ExecutorOptions, 'onError'>;
  readonly #active = new Map<string, { abort: AbortController; done: Promise<void> }>();
  #timer: NodeJS.Timeout | undefined;
  #ticking: Promise<void> | undefined;
  #again = false;
  #started = false;
  #stopping = false;
  #unsubscribe: (() => void) | undefined;

  constructor(deps: ServiceDeps, options: ExecutorOptions) {
    this.#deps = deps;
    this.owner = options.owner ?? `${os.hostname()}-${process.pid}-${randomUUID().slice(0, 8)}`;
    this.#o = {
      artifacts: options.artifacts,
      tickMs: options.tickMs ?? 1000,
      leaseMs: options.leaseMs ?? 30_000,
      transferRetries: options.transferRetries ?? 3,
      transferBackoffMs: options.transferBackoffMs ?? 1000,
      killGraceMs: options.killGraceMs ?? 5000,
      onError: options.onError,
    };
  }

  start(): void {
    if (this.#started) return;
    this.#started = true;
    this.#unsubscribe = onDeploymentWake(() => void this.tick());
    const loop = () => {
      this.#timer = setTimeout(() => void this.tick().finally(() => this.#started && !this.#stopping && loop()), this.#o.tickMs);
      this.#timer.unref();
    };
    void this.tick();
    loop();
  }

  /** Stops looking for work and stops the steps running here: they are recorded as interrupted. */
  async stop(): Promise<void> {
    this.#stopping = true;
    this.#started = false;
    this.#unsubscribe?.();
    if (this.#timer) clearTimeout(this.#timer);
    for (const a of this.#active.values()) a.abort.abort();
    await Promise.allSettled([...this.#active.values()].map((a) => a.done));
    await this.#ticking;
  }

  /** One pass: interrupted steps, steps to begin, escalations. Concurrent calls share a pass (and ask for one more). */
  tick(): Promise<void> {
    if (this.#stopping) return Promise.resolve();
    if (this.#ticking) {
      this.#again = true;
      return this.#ticking;
    }
    this.#ticking = (async () => {
      do {
        this.#again = false;
        await this.#guard('interrupted steps', () => this.#interruptExpired());
        await this.#guard('next steps', () => this.#beginNextSteps());
        await this.#guard('escalations', () => this.#escalate());
      } while (this.#again && !this.#stopping);
    })().finally(() => (this.#ticking = undefined));
    return this.#ticking;
  }

  /** Resolves once no step runs in this process (for tests and a graceful stop). */
  async idle(): Promise<void> {
    while (this.#active.size > 0) await Promise.allSettled([...this.#active.values()].map((a) => a.done));
  }

  async #guard(what: string, fn: () => Promise<void>): Promise<void> {
    try {
      await fn();
    } catch (err) {
      this.#o.onError?.(what, err);
    }
  }

  async #refOf(run: DeploymentRunTable): Promise<Ref | null> {
    const db = this.#deps.database.kysely;
    const [app, release] = await Promise.all([applicationById(db, run.application_id), releaseById(db, run.release_id)]);
    return app && release ? { app: app.key, name: release.name } : null;
  }

  /** A write on the run's release that re-reads the step and goes ahead only if `ready` still holds. */
  async #onStep<T>(
    run: DeploymentRunTable,
    stepId: string,
    ready: (step: DeploymentStepTable, run: DeploymentRunTable) => boolean,
    fn: (l: LockedWrite, step: DeploymentStepTable, run: DeploymentRunTable) => Promise<T | null>,
  ): Promise<T | null> {
    const ref = await this.#refOf(run);
    if (!ref) return null;
    return lockedReleaseWrite(this.#deps, DEPLOYMENT_ACTOR, ref, { allowTerminal: true }, async (l) => {
      const [step, current] = await Promise.all([stepById(l.db, stepId), runById(l.db, run.id)]);
      if (!step || !current || !ready(step, current)) return l.tx.unaudited(null, 'someone else took the step first');
      return l.tx.unaudited(await fn(l, step, current), 'moveStepWithin records the step event');
    });
  }

  async #interruptExpired(): Promise<void> {
    const now = this.#deps.clock().toISOString();
    for (const s of await expiredSteps(this.#deps.database.kysely, now)) {
      if (this.#active.has(s.id)) continue;
      const run = await runById(this.#deps.database.kysely, s.run_id);
      if (!run) continue;
      await this.#onStep(
        run,
        s.id,
        (step) => step.state === 'running' && step.lease_until !== null && step.lease_until < this.#deps.clock().toISOString(),
        (l, step, r) =>
          moveStepWithin(
            this.#deps,
            l,
            r,
            step,
            'interrupt',
            { lease_owner: null, lease_until: null, outcome: INTERRUPTED },
            { log: `${step.name}: interrupted: ${INTERRUPTED}`, stream: 'error' },
          ),
      );
    }
  }

  async #beginNextSteps(): Promise<void> {
    const db = this.#deps.database.kysely;
    for (const run of await activeRuns(db)) {
      if (this.#stopping) return;
      const steps = await stepsOfRun(db, run.id);
      const now = this.#deps.clock();
      const i = nextStep(steps.map((s) => shownState(s, now)));
      const step = i === null ? undefined : steps[i];
      if (!step) continue;
      const isNext = (s: DeploymentStepTable, allSteps: DeploymentStepTable[]) =>
        s.state === 'waiting' && nextStep(allSteps.map((x) => shownState(x, this.#deps.clock()))) === s.position;
      if (!isAutomatic(step.kind)) {
        await this.#onStep(
          run,
          step.id,
          (s) => s.row_version === step.row_version && s.state === 'waiting',
          async (l, s, r) => {
            if (!isNext(s, await stepsOfRun(l.db, r.id))) return null;
            return this.#handToPeople(l, r, s);
          },
        );
        continue;
      }
      if (this.#active.has(step.id)) continue;
      const claimed = await this.#onStep(
        run,
        step.id,
        (s) => s.row_version === step.row_version && s.state === 'waiting',
        async (l, s, r) => {
          if (!isNext(s, await stepsOfRun(l.db, r.id))) return null;
          const at = this.#deps.clock();
          const moved = await moveStepWithin(
            this.#deps,
            l,
            r,
            s,
            'start',
            {
              started_at: at.toISOString(),
              finished_at: null,
              attempts: s.attempts + 1,
              lease_owner: this.owner,
              lease_until: new Date(at.getTime() + this.#o.leaseMs).toISOString(),
            },
            { log: `${s.name}: started (attempt ${s.attempts + 1}) on ${os.hostname()}` },
          );
          return moved && { ref: { app: l.ctx.app.key, name: l.release.name }, run: r, step: moved };
        },
      );
      if (claimed) this.#launch(claimed.ref, claimed.run, claimed.step);
    }
  }

  #launch(ref: Ref, run: DeploymentRunTable, step: DeploymentStepTable): void {
    const abort = new AbortController();
    const done = this.#execute(ref, run, step, abort).catch((err: unknown) => this.#o.onError?.(`step ${step.step}`, err));
    this.#active.set(step.id, { abort, done });
    void done.finally(() => {
      this.#active.delete(step.id);
      if (!this.#stopping) void this.tick();
    });
  }

  async #execute(ref: Ref, run: DeploymentRunTable, step: DeploymentStepTable, abort: AbortController): Promise<void> {
    let leaseLost = false;
    const renew = setInterval(
      () => {
        const until = new Date(this.#deps.clock().getTime() + this.#o.leaseMs).toISOString();
        renewStepLease(this.#deps.database.kysely, step.id, this.owner, until)
          .then((held) => {
            if (!held) {
              leaseLost = true;
              abort.abort();
            }
          })
          .catch((err: unknown) => this.#o.onError?.('lease renewal', err));
      },
      Math.max(50, Math.floor(this.#o.leaseMs / 3)),
    );
    renew.unref();
    const sink = new LogSink(this.#deps, run.id, step.position, (err) => this.#o.onError?.('run log', err));
    let result: WorkResult;
    try {
      result = await doStepWork({
        deps: this.#deps,
        artifacts: this.#o.artifacts,
        appKey: ref.app,
        releaseName: ref.name,
        run,
        step,
        log: (stream, line) => sink.push(stream, line),
        signal: abort.signal,
        transfer: { retries: this.#o.transferRetries, backoffMs: this.#o.transferBackoffMs },
        killGraceMs: this.#o.killGraceMs,
      });
    } finally {
      clearInterval(renew);
      await sink.close();
    }
    if (leaseLost) return;
    const owned = (s: DeploymentStepTable) => s.state === 'running' && s.lease_owner === this.owner;
    if (abort.signal.aborted) {
      await this.#onStep(run, step.id, owned, (l, s, r) =>
        moveStepWithin(
          this.#deps,
          l,
          r,
          s,
          'interrupt',
          { lease_owner: null, lease_until: null, outcome: 'relman was stopped while the step ran; retry it' },
          { owner: this.owner, log: `${s.name}: interrupted: relman was stopped while the step ran`, stream: 'error' },
        ),
      );
      return;
    }
    await this.#onStep(run, step.id, owned, async (l, s, r) => {
      const at = this.#deps.clock().toISOString();
      const common = {
        lease_owner: null,
        lease_until: null,
        finished_at: at,
        done_by: result.by,
        evidence: JSON.stringify(result.evidence ?? null),
      };
      const moved = result.ok
        ? await moveStepWithin(
            this.#deps,
            l,
            r,
            s,
            'finish',
            { ...common, outcome: result.note },
            { owner: this.owner, log: `${s.name}: done: ${result.note}` },
          )
        : await moveStepWithin(
            this.#deps,
            l,
            r,
            s,
            'fail',
            { ...common, outcome: result.error },
            { owner: this.owner, log: `${s.name}: failed: ${result.error}`, stream: 'error' },
          );
      const task = stepSpec.decode(s.spec).completesTask;
      if (moved && result.ok && task !== undefined) {
        const files = (result.evidence['files'] as { name: string; size: number; sha256: string; verifiedBy: string }[] | undefined)?.map(
          (f) => ({
            name: f.name,
            size: f.size,
            sha256: f.sha256,
            verifiedBy: f.verifiedBy,
          }),
        );
        const target = result.evidence['target'];
        await completeTaskWithin(this.#deps, l, task, {
          note: `Done by deployment run ${r.number} to ${r.environment} (started by ${r.started_by}), step "${s.name}": ${result.note}`,
          evidence: {
            deployment: {
              run: r.number,
              environment: r.environment,
              step: s.step,
              ...(typeof target === 'string' ? { target } : {}),
              ...(files ? { files } : {}),
            },
          },
          by: r.started_by,
        });
      }
      return moved;
    });
  }

  /** The values the deployment mails fill in. */
  async #mailValues(l: LockedWrite, run: DeploymentRunTable, step: DeploymentStepTable): Promise<MailValues> {
    const base = await releaseMailValues(this.#deps, l, DEPLOYMENT_ACTOR);
    const roleNames = stepRoles.decode(step.roles).map((r) => l.template.roles.find((x) => x.id === r)?.name ?? r);
    const spec = stepSpec.decode(step.spec);
    const appFlag = l.ctx.app.is_default === 1 ? '' : ` --app ${l.ctx.app.key}`;
    return {
      ...base,
      sender: 'relman',
      'deployment.environment': l.template.environments.find((e) => e.id === run.environment)?.name ?? run.environment,
      'deployment.step': step.name,
      'deployment.roles': roleNames.join(', '),
      'deployment.instructions': spec.instructions ?? '',
      'deployment.documents': await documentsText(l, spec.showsTasks ?? []),
      'deployment.downloads': base.packages ?? '',
      'deployment.ackCommand': `relman deploy ack ${l.release.name} ${step.step} --run ${run.number} --done --note "…"${appFlag}   (or --failed)`,
      'deployment.url': base['release.url'] ?? '',
      'deployment.waitingSince': step.started_at ?? '',
    };
  }

  async #queueMail(
    l: LockedWrite,
    run: DeploymentRunTable,
    step: DeploymentStepTable,
    mailTemplate: string,
    cause: string,
    values: MailValues,
    extraTo: string[] = [],
  ): Promise<{ mailId: string | null; problem: string | null; recipients: string[] }> {
    if (!l.template.mailTemplates.some((m) => m.id === mailTemplate))
      return { mailId: null, problem: `the process template has no "${mailTemplate}" mail`, recipients: [] };
    const mail = await composeMail(l.db, l.template, {
      mailTemplate,
      cause,
      values,
      recipients: { applicationId: l.ctx.app.id, owner: l.release.created_by, responsible: stepRoles.decode(step.roles) },
      releaseId: l.release.id,
      createdBy: DEPLOYMENT_ACTOR.username,
      extraTo,
    });
    if (mail.to.length === 0 && mail.cc.length === 0)
      return {
        mailId: null,
        problem: `nobody to mail: no user holding ${values['deployment.roles'] ?? ''} has an e-mail address`,
        recipients: [],
      };
    const row = await enqueueMail(l.db, this.#deps, mail);
    return { mailId: row.id, problem: null, recipients: [...mailRecipients.decode(row.recipients), ...mailCc.decode(row.cc)] };
  }

  /** A manual step's turn: it runs (waits for its people) and they are told by e-mail. */
  async #handToPeople(l: LockedWrite, run: DeploymentRunTable, step: DeploymentStepTable): Promise<DeploymentStepTable | null> {
    const at = this.#deps.clock().toISOString();
    const spec = stepSpec.decode(step.spec);
    const values = await this.#mailValues(l, run, { ...step, started_at: at });
    const mail = spec.mail
      ? await this.#queueMail(l, run, step, spec.mail, 'deployment.step', values)
      : { mailId: null, problem: 'the step names no mail', recipients: [] };
    const told = mail.mailId !== null ? `mail queued for ${mail.recipients.join(', ')}` : `no mail: ${mail.problem ?? ''}`;
    return moveStepWithin(
      this.#deps,
      l,
      run,
      step,
      'start',
      { started_at: at, finished_at: null, attempts: step.attempts + 1, escalation_level: 0, escalated_at: null },
      {
        log: `${step.name}: waiting for ${values['deployment.roles'] ?? ''}; ${told}`,
        audit: { mail: { mailId: mail.mailId, problem: mail.problem } },
      },
    );
  }

  async #escalate(): Promise<void> {
    const db = this.#deps.database.kysely;
    const now = this.#deps.clock();
    for (const step of await runningManualSteps(db)) {
      const esc = stepSpec.decode(step.spec).escalation;
      if (!esc || step.started_at === null) continue;
      const level = step.escalation_level + 1;
      const due = new Date(step.started_at).getTime() + esc.afterHours * 3_600_000 * level;
      if (now.getTime() < due) continue;
      const run = await runById(db, step.run_id);
      if (!run) continue;
      const levels = await escalationLevels(db, run.application_id);
      if (level > Math.max(1, levels.length)) continue;
      await this.#onStep(
        run,
        step.id,
        (s) => s.row_version === step.row_version && s.state === 'running',
        async (l, s, r) => {
          const contacts = levels[level - 1] ?? [];
          const contactText = contacts
            .map((c) =>
              [c.person, c.role ? `(${l.template.roles.find((x) => x.id === c.role)?.name ?? c.role})` : '', c.phone ?? '', c.email ?? '']
                .filter(Boolean)
                .join(' '),
            )
            .join('; ');
          const values = {
            ...(await this.#mailValues(l, r, s)),
            'escalation.level': String(level),
            'escalation.contacts': contactText || '(no escalation contact at this level)',
          };
          const emails = contacts.map((c) => c.email).filter((e): e is string => typeof e === 'string' && e.includes('@'));
          const mail = await this.#queueMail(l, r, s, esc.mail, 'deployment.escalation', values, emails);
          const at = this.#deps.clock().toISOString();
          if (!(await updateStep(l.db, s, { escalation_level: level, escalated_at: at }))) return null;
          const after = { ...s, escalation_level: level, escalated_at: at, row_version: s.row_version + 1 };
          await appendLog(l.db, r.id, [
            {
              position: s.position,
              at,
              stream: 'info',
              line: `${s.name}: escalated to level ${level}${contactText ? ` (${contactText})` : ''}; ${mail.mailId !== null ? `mail queued for ${mail.recipients.join(', ')}` : `no mail: ${mail.problem ?? ''}`}`,
            },
          ]);
          l.tx.audit({
            action: 'deployment.step-escalate',
            subjectType: 'release',
            subjectId: l.subject,
            before: stepAuditView(r, s),
            after: { ...stepAuditView(r, after), escalation: { level, mailId: mail.mailId, problem: mail.problem } },
          });
          return after;
        },
      );
    }
  }
}
