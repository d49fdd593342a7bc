/**
 * One line saying what an audit event on a release did, for the pages that
 * list recent changes ("moved to packaging", "approved at-signoff"). Unknown
 * or malformed payloads fall back to the action itself: a summary must never
 * fail a read.
 */
type Payload = Record<string, unknown> | null;

const rec = (v: unknown): Payload => (typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : null);
const str = (p: Payload, k: string): string => {
  const v = p?.[k];
  return typeof v === 'string' || typeof v === 'number' ? String(v) : '';
};

const STEP_WORDS: Record<string, string> = {
  'deployment.step-start': 'started',
  'deployment.step-done': 'done',
  'deployment.step-fail': 'failed',
  'deployment.step-skip': 'skipped',
  'deployment.step-interrupt': 'interrupted',
  'deployment.step-retry': 'to be retried',
  'deployment.step-escalate': 'escalated',
};

export function summarizeReleaseEvent(action: string, before: unknown, after: unknown): string {
  const b = rec(before);
  const a = rec(after);
  const fallback = action.replace(/[.-]/g, ' ');
  const with_ = (text: string, ...need: string[]) => (need.every((x) => x !== '') ? text : fallback);
  switch (action) {
    case 'release.create':
      return 'created the release';
    case 'release.update':
      return 'changed the release';
    case 'release.transition':
      return with_(`${str(a, 'transition')}: ${str(b, 'state')} → ${str(a, 'state')}`, str(a, 'transition'), str(a, 'state'));
    case 'approval.request':
      return with_(`asked for ${str(a, 'step')}`, str(a, 'step'));
    case 'approval.approve':
      return with_(`approved ${str(a, 'step')}`, str(a, 'step'));
    case 'approval.reject':
      return with_(`rejected ${str(a, 'step')}`, str(a, 'step'));
    case 'test.record':
      return with_(`${str(a, 'item')} ${str(a, 'result')} in ${str(a, 'environment')}`, str(a, 'item'), str(a, 'result'));
    case 'issue.raise':
      return with_(`raised issue #${str(a, 'number')} "${str(a, 'title')}"`, str(a, 'number'));
    case 'issue.resolve':
      return with_(`issue #${str(a, 'number')} ${str(a, 'status')}`, str(a, 'number'));
    case 'notification.record':
      return str(a, 'summary') || fallback;
    case 'report.write':
      return with_(`wrote the ${str(a, 'report')} report`, str(a, 'report'));
    case 'step.record':
      return with_(`${str(a, 'step')} on ${str(a, 'channel')}`, str(a, 'step'));
    case 'package.record':
    case 'package.upload':
      return with_(`${str(a, 'channel')} package v${str(a, 'version')}`, str(a, 'channel'), str(a, 'version'));
    case 'checklist.complete':
    case 'checklist.skip':
    case 'checklist.reopen':
      return with_(`${action.slice('checklist.'.length)} checklist task ${str(a, 'task')}`, str(a, 'task'));
    case 'deployment.start':
      return with_(`deployment run ${str(a, 'run')} to ${str(a, 'environment')} started`, str(a, 'run'), str(a, 'environment'));
    case 'deployment.step-start':
    case 'deployment.step-done':
    case 'deployment.step-fail':
    case 'deployment.step-skip':
    case 'deployment.step-interrupt':
    case 'deployment.step-retry':
    case 'deployment.step-escalate':
      return with_(
        `deployment run ${str(a, 'run')}: ${str(a, 'name')} ${STEP_WORDS[action] ?? ''}`.trimEnd(),
        str(a, 'run'),
        str(a, 'name'),
      );
    default:
      return fallback;
  }
}
