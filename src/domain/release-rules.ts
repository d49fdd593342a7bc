import type { FieldProblem } from './errors.js';
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
  f: { states?: string[] | undefined; types?: string[] | undefined },
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
