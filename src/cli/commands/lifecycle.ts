import type { Command } from 'commander';
import { table } from '../output.js';
import { client, globals, int, show } from './remote.js';

type Evidence = { what: string; by: string; at: string };
type Gate = { id: string; name: string; pass: boolean; reasons: string[]; evidence: Evidence[]; exceptions: string[] };
type Option = {
  id: string;
  name: string;
  to: string;
  roles: string[];
  allowedForYou: boolean;
  requireComment: boolean;
  gates: Gate[];
  unmet: string[];
};
type GatesView = { release: string; state: string; stateName: string; terminal: boolean; transitions: Option[] };
type TransitionRecord = {
  transition: string;
  from: string;
  to: string;
  comment: string;
  evidence: { gates: Gate[]; exceptions: string[] };
  performedBy: string;
  performedAt: string;
};
type Advance =
  | { taken: true; transition: TransitionRecord }
  | { taken: false; reason: string; transitions: { id: string; name: string; unmet: string[] }[] };
type Decision = {
  step: string;
  decision: string;
  comment: string;
  decidedBy: string;
  decidedAt: string;
  voided: boolean;
  advance?: Advance;
};
type RequestMail =
  | { queued: true; template: string; mailId: string; to: string[]; cc: string[] }
  | { queued: false; template: string | null; reason: string };
type ApprovalRequest = { step: string; requestedBy: string; requestedAt: string; mail: RequestMail };
type ApprovalStep = Record<string, unknown> & { step: string; decisions: Decision[] };

const releasePath = (name: string, rest = '') => `/releases/${encodeURIComponent(name)}${rest}`;
const collect = (v: string, previous: string[] = []) => [...previous, v];

/** `what — by someone at when`, leaving out the parts a fact does not have. */
export function evidenceLine(e: Evidence): string {
  const who = e.by && e.by !== '-' ? ` — by ${e.by}` : '';
  const when = e.at && e.at !== '-' ? ` at ${e.at}` : '';
  return `${e.what}${who}${when}`;
}

/** Each gate as PASS/FAIL, its reasons (-), its evidence (+) and any process exception used (!). */
export function renderGates(gates: Gate[], indent = '  '): string[] {
  const lines: string[] = [];
  for (const g of gates) {
    lines.push(`${indent}${g.pass ? 'PASS' : 'FAIL'}  ${g.name} [${g.id}]`);
    for (const r of g.reasons) lines.push(`${indent}        - ${r}`);
    for (const e of g.evidence) lines.push(`${indent}        + ${evidenceLine(e)}`);
    for (const x of g.exceptions) lines.push(`${indent}        ! exception: ${x}`);
  }
  return lines;
}

function renderGatesView(v: GatesView): string {
  const head = `${v.release} is ${v.stateName} (${v.state})${v.terminal ? ', a final state' : ''}`;
  if (v.transitions.length === 0) return `${head}\nno transition leaves this state`;
  const rows = v.transitions.map((t) => ({
    transition: t.id,
    to: t.to,
    who: t.roles,
    you: t.allowedForYou ? 'yes' : 'no',
    ready: t.unmet.length === 0 ? 'yes' : `no (${t.unmet.length} unmet)`,
  }));
  const out = [head, '', table(rows, ['transition', 'to', 'who', 'you', 'ready'])];
  for (const t of v.transitions) {
    out.push('', `${t.id} → ${t.to}: ${t.name}${t.requireComment ? ' (needs --comment)' : ''}`);
    out.push(...(t.gates.length === 0 ? ['  (no gates)'] : renderGates(t.gates)));
  }
  return out.join('\n');
}

function renderTransition(name: string, t: TransitionRecord): string {
  const lines = [`${name}: ${t.from} → ${t.to} (${t.transition}) by ${t.performedBy} at ${t.performedAt}`];
  for (const x of t.evidence.exceptions) lines.push(`  exception recorded: ${x}`);
  return lines.join('\n');
}

function renderDecision(name: string, d: Decision): string {
  const lines = [`${d.decision} ${d.step} on ${name} (${d.decidedBy} at ${d.decidedAt})`];
  if (d.advance?.taken === true) lines.push(renderTransition(name, d.advance.transition));
  else if (d.advance?.taken === false) {
    lines.push(`not advanced: ${d.advance.reason}`);
    for (const t of d.advance.transitions) for (const u of t.unmet) lines.push(`  - ${t.id}: ${u}`);
  }
  return lines.join('\n');
}

function renderRequest(name: string, r: ApprovalRequest): string {
  const head = `requested ${r.step} on ${name} (${r.requestedBy} may not decide it)`;
  if (r.mail.queued) {
    const cc = r.mail.cc.length > 0 ? `, cc ${r.mail.cc.join(', ')}` : '';
    return `${head}\nmail queued to ${r.mail.to.join(', ')}${cc} (mail ${r.mail.mailId}; \`relman mail list\` shows its delivery)`;
  }
  return `${head}\nnobody was e-mailed: ${r.mail.reason}`;
}

export function registerLifecycle(program: Command): void {
  const release = program.commands.find((c) => c.name() === 'release') ?? program.command('release').description('releases');

  release
    .command('gates <name>')
    .description('the transitions out of the release’s state, each gate PASS/FAIL with reasons and evidence')
    .action(async (name: string, _opts: unknown, cmd: Command) => {
      const v = await client(cmd).request<GatesView>('GET', releasePath(name, '/gates'), undefined, { app: globals(cmd).app });
      show(cmd, v, () => renderGatesView(v));
    });

  release
    .command('transition <name> <transition>')
    .description('move the release along a transition; a refusal lists every unmet condition (exit 6)')
    .option('--comment <text>', 'why (some transitions require it)')
    .option('--expect-version <n>', 'refuse if the release changed since this version', int('--expect-version'))
    .action(async (name: string, transition: string, opts: { comment?: string; expectVersion?: number }, cmd: Command) => {
      const t = await client(cmd).request<TransitionRecord>(
        'POST',
        releasePath(name, '/transitions'),
        { transition, comment: opts.comment, version: opts.expectVersion },
        { app: globals(cmd).app },
      );
      show(cmd, t, () => renderTransition(name, t));
    });

  release
    .command('history <name>')
    .description('every transition of the release, oldest first')
    .action(async (name: string, _opts: unknown, cmd: Command) => {
      const h = await client(cmd).request<TransitionRecord[]>('GET', releasePath(name, '/history'), undefined, { app: globals(cmd).app });
      show(cmd, h, () =>
        table(
          h.map((t) => ({ ...t, exceptions: t.evidence.exceptions })),
          ['performedAt', 'transition', 'from', 'to', 'performedBy', 'comment', 'exceptions'],
        ),
      );
    });

  release
    .command('approvals <name>')
    .description('the approval steps: who approved, who requested, every decision')
    .action(async (name: string, _opts: unknown, cmd: Command) => {
      const steps = await client(cmd).request<ApprovalStep[]>('GET', releasePath(name, '/approvals'), undefined, {
        app: globals(cmd).app,
      });
      show(cmd, steps, () => {
        const decisions = steps.flatMap((s) => s.decisions.map((d) => ({ ...d, voided: d.voided ? 'voided' : '' })));
        return [
          table(steps, ['step', 'required', 'approvedBy', 'satisfied', 'requester', 'roles']),
          '',
          'decisions:',
          table(decisions, ['decidedAt', 'step', 'decision', 'decidedBy', 'voided', 'comment']),
        ].join('\n');
      });
    });

  const decide =
    (decision: 'approve' | 'reject') =>
    async (
      name: string,
      step: string,
      opts: { comment?: string; attest?: string[]; expectVersion?: number; advance?: boolean },
      cmd: Command,
    ) => {
      const d = await client(cmd).request<Decision>(
        'POST',
        releasePath(name, '/approvals'),
        { step, decision, comment: opts.comment, attestations: opts.attest, advance: opts.advance, version: opts.expectVersion },
        { app: globals(cmd).app },
      );
      show(cmd, d, () => renderDecision(name, d));
    };

  release
    .command('approve <name> <step>')
    .description('approve an approval step (e.g. at-go-ahead, final-signoff); --advance also moves the release on')
    .option('--comment <text>', 'comment')
    .option('--attest <id>', 'confirm a statement the step asks for (repeatable)', collect)
    .option('--advance', 'then take the transition this approval completes, if you may and every gate holds (else says why not)')
    .option('--expect-version <n>', 'refuse if the release changed since this version', int('--expect-version'))
    .action(decide('approve'));

  release
    .command('reject <name> <step>')
    .description('reject an approval step; voids its approvals and sends the release back where the template says')
    .requiredOption('--comment <text>', 'why')
    .option('--expect-version <n>', 'refuse if the release changed since this version', int('--expect-version'))
    .action(decide('reject'));

  release
    .command('request-approval <name> <step>')
    .description('ask for an approval and e-mail the people who may give it; you may then not give it yourself')
    .option('--comment <text>', 'comment')
    .action(async (name: string, step: string, opts: { comment?: string }, cmd: Command) => {
      const r = await client(cmd).request<ApprovalRequest>(
        'POST',
        releasePath(name, `/approvals/${encodeURIComponent(step)}/requests`),
        { comment: opts.comment },
        { app: globals(cmd).app },
      );
      show(cmd, r, () => renderRequest(name, r));
    });

  release
    .command('evidence <name>')
    .description('everything recorded on the release: packages, tests, issues, notices, reports, steps, waivers, blackout override')
    .action(async (name: string, _opts: unknown, cmd: Command) => {
      type Rows = Record<string, unknown>[];
      type Evidence = Record<'packages' | 'tests' | 'issues' | 'notifications' | 'reports' | 'steps' | 'checklistWaivers', Rows> & {
        blackoutOverride: { text: string } | null;
      };
      const e = await client(cmd).request<Evidence>('GET', releasePath(name, '/evidence'), undefined, { app: globals(cmd).app });
      show(cmd, e, () =>
        [
          ...(e.blackoutOverride ? [`blackout override: ${e.blackoutOverride.text}`, ''] : []),
          'packages:',
          table(e.packages, ['channel', 'version', 'label', 'createdBy', 'createdAt']),
          '',
          'tests:',
          table(e.tests, ['recordedAt', 'item', 'environment', 'result', 'cause', 'packages', 'recordedBy', 'notes']),
          '',
          'issues:',
          table(e.issues, ['number', 'category', 'status', 'title', 'raisedBy', 'resolution']),
          '',
          'notifications:',
          table(e.notifications, ['system', 'status', 'recordedBy', 'recordedAt', 'summary']),
          '',
          'reports:',
          table(
            e.reports.map((r) => ({ ...r, parts: Object.keys(r.parts as Record<string, string>) })),
            ['report', 'parts', 'helpdeskRefs', 'writtenBy', 'writtenAt'],
          ),
          '',
          'steps:',
          table(e.steps, ['step', 'channel', 'packageVersion', 'recordedBy', 'recordedAt', 'note']),
          ...(e.checklistWaivers.length > 0
            ? [
                '',
                'checklist waivers:',
                ...e.checklistWaivers.map((w) => `  ${String(w['task'])} before ${String(w['transition'])}: ${String(w['text'])}`),
              ]
            : []),
        ].join('\n'),
      );
    });
}
