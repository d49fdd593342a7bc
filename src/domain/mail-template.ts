/**
 * Mail templates of the process template: plain text with `{{name}}`
 * placeholders. Only the names below exist; a template using another is
 * refused when the process template is published, so a typo never reaches
 * anyone's inbox as "{{relase.name}}".
 */
export const MAIL_PLACEHOLDERS = [
  'application.name',
  'release.name',
  'release.title',
  'release.type',
  'release.state',
  'release.plannedDate',
  'release.url',
  'release.apiUrl',
  'sender',
  'note',
  'packages',
  'items',
  'systems',
  'task.id',
  'task.title',
  'task.due',
  'task.responsible',
  'task.remarks',
  'escalation.level',
  'escalation.contacts',
  'digest.count',
  'digest.tasks',
  'approval.by',
  'approval.comment',
  'approval.attestations',
  'approval.name',
  'approval.roles',
  'approval.requestedBy',
  'approval.command',
  'approval.rejectCommand',
  'cycle.from',
  'cycle.to',
  'cycle.reason',
  'deployment.environment',
  'deployment.step',
  'deployment.roles',
  'deployment.instructions',
  'deployment.documents',
  'deployment.downloads',
  'deployment.ackCommand',
  'deployment.url',
  'deployment.waitingSince',
] as const;
export type MailPlaceholder = (typeof MAIL_PLACEHOLDERS)[number];
export type MailValues = Partial<Record<MailPlaceholder, string>>;

const PLACEHOLDER = /\{\{\s*([A-Za-z][A-Za-z0-9.]*)\s*\}\}/g;
const KNOWN = new Set<string>(MAIL_PLACEHOLDERS);

/** The placeholder names a text uses that do not exist. */
export function unknownPlaceholders(text: string): string[] {
  return [...text.matchAll(PLACEHOLDER)].map((m) => m[1] ?? '').filter((n) => !KNOWN.has(n));
}

/** Replaces every placeholder; one with no value in this context becomes empty text. */
export function renderMailText(text: string, values: MailValues): string {
  return text.replace(PLACEHOLDER, (_m, name: string) => (KNOWN.has(name) ? (values[name as MailPlaceholder] ?? '') : `{{${name}}}`));
}

/** A subject is one line: line breaks a value brought in become spaces. */
export function renderMailSubject(text: string, values: MailValues): string {
  return renderMailText(text, values)
    .replace(/[\r\n]+/g, ' ')
    .trim();
}
