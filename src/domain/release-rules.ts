import { ConflictError, StaleVersionError, type FieldProblem } from './errors.js';
import { isCalendarDate } from './dates.js';
import type { ProcessTemplate } from './template/schema.js';

export type ReleaseFields = {
  type?: string | undefined;
  plannedDate?: string | undefined;
  channels?: string[] | undefined;
};

/** Every way the given release fields disagree with the template; empty when they fit. */
export function releaseFieldProblems(template: ProcessTemplate, f: ReleaseFields): FieldProblem[] {
  const problems: FieldProblem[] = [];
  if (f.type !== undefined && !template.releaseTypes.some((t) => t.id === f.type)) {
    problems.push({
      path: 'type',
      message: `unknown release type "${f.type}"; one of: ${template.releaseTypes.map((t) => t.id).join(', ')}`,
    });
  }
  if (f.plannedDate !== undefined && !isCalendarDate(f.plannedDate)) {
    problems.push({ path: 'plannedDate', message: `"${f.plannedDate}" is not a calendar date (YYYY-MM-DD)` });
  }
  if (f.channels !== undefined) {
    if (f.channels.length === 0) problems.push({ path: 'channels', message: 'a release carries at least one channel' });
    const known = new Set(template.channels.map((c) => c.id));
    f.channels.forEach((c, i) => {
      if (!known.has(c)) problems.push({ path: `channels[${i}]`, message: `unknown channel "${c}"; one of: ${[...known].join(', ')}` });
      else if (f.channels?.indexOf(c) !== i) problems.push({ path: `channels[${i}]`, message: `channel "${c}" is listed twice` });
    });
  }
  return problems;
}

/** A release list's state and type filters, checked against the template: unknown values are named with the valid ones. */
export function releaseFilterProblems(
  template: ProcessTemplate,
  f: { states?: string[] | undefined; types?: string[] | undefined; channels?: string[] | undefined },
): FieldProblem[] {
  const problems: FieldProblem[] = [];
  const states = template.states.map((s) => s.id);
  const types = template.releaseTypes.map((t) => t.id);
  for (const s of f.states ?? []) {
    if (!states.includes(s)) problems.push({ path: 'state', message: `unknown state "${s}"; one of: ${states.join(', ')}` });
  }
  for (const t of f.types ?? []) {
    if (!types.includes(t)) problems.push({ path: 'type', message: `unknown release type "${t}"; one of: ${types.join(', ')}` });
  }
  const channels = template.channels.map((c) => c.id);
  for (const c of f.channels ?? []) {
    if (!channels.includes(c)) problems.push({ path: 'channel', message: `unknown channel "${c}"; one of: ${channels.join(', ')}` });
  }
  return problems;
}

export function isTerminalState(template: ProcessTemplate, state: string): boolean {
  return template.states.some((s) => s.id === state && s.terminal === true);
}

export function initialStateOf(template: ProcessTemplate, type: string): string {
  const t = template.releaseTypes.find((r) => r.id === type);
  if (!t) throw new Error(`unknown release type ${type}`);
  return t.initialState;
}

/** The fields of a release an update may change. */
export type ReleaseFieldChange = {
  title?: string | undefined;
  description?: string | undefined;
  plannedDate?: string | undefined;
  channels?: string[] | undefined;
  /** A change cycle's date to book the release into. */
  cycle?: string | undefined;
};

/**
 * What an update changes: only the fields it gives, and whether it moves the
 * release in the calendar (date, cycle or channels: the schedule is checked
 * again and the checklist follows).
 */
export function releaseChange(input: ReleaseFieldChange): {
  fields: { title?: string; description?: string; plannedDate?: string; channels?: string[] };
  rescheduled: boolean;
} {
  const fields: { title?: string; description?: string; plannedDate?: string; channels?: string[] } = {};
  if (input.title !== undefined) fields.title = input.title;
  if (input.description !== undefined) fields.description = input.description;
  if (input.plannedDate !== undefined) fields.plannedDate = input.plannedDate;
  if (input.channels !== undefined) fields.channels = input.channels;
  const rescheduled = input.plannedDate !== undefined || input.cycle !== undefined || input.channels !== undefined;
  return { fields, rescheduled };
}

/**
 * Refuses an update of a release that is closed (a terminal state), then one
 * made from a version the caller read that is no longer current.
 */
export function checkReleaseUpdatable(
  template: ProcessTemplate,
  release: { name: string; state: string; version: number },
  expectedVersion: number | undefined,
): void {
  if (isTerminalState(template, release.state)) {
    throw new ConflictError(`release ${release.name} is ${release.state} and can no longer be changed`, 'release-closed');
  }
  if (expectedVersion !== undefined && expectedVersion !== release.version) {
    throw new StaleVersionError('release', release.name, expectedVersion, release.version);
  }
}
