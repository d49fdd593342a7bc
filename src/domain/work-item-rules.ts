import { ConflictError, type FieldProblem } from './errors.js';
import type { ProcessTemplate } from './template/schema.js';

export type ElementInput = { type: string; name: string };

export type WorkItemFields = {
  kind?: string | undefined;
  priority?: string | undefined;
  elements?: ElementInput[] | undefined;
};

/** Every way the given item fields disagree with the template; empty when they fit. */
export function workItemFieldProblems(template: ProcessTemplate, f: WorkItemFields): FieldProblem[] {
  const problems: FieldProblem[] = [];
  if (f.kind !== undefined && !template.workItemKinds.some((k) => k.id === f.kind)) {
    problems.push({
      path: 'kind',
      message: `unknown work item kind "${f.kind}"; one of: ${template.workItemKinds.map((k) => k.id).join(', ')}`,
    });
  }
  if (f.priority !== undefined && !template.priorities.some((p) => p.id === f.priority)) {
    problems.push({
      path: 'priority',
      message: `unknown priority "${f.priority}"; one of: ${template.priorities.map((p) => p.id).join(', ')}`,
    });
  }
  if (f.elements !== undefined) {
    const types = new Set(template.elementTypes.map((t) => t.id));
    const seen = new Set<string>();
    f.elements.forEach((e, i) => {
      if (!types.has(e.type))
        problems.push({ path: `elements[${i}].type`, message: `unknown element type "${e.type}"; one of: ${[...types].join(', ')}` });
      const k = `${e.type}\u0000${e.name}`;
      if (seen.has(k)) problems.push({ path: `elements[${i}]`, message: `${e.type} "${e.name}" is listed twice` });
      seen.add(k);
    });
  }
  return problems;
}

/** The template's middle priority by order: a neutral default when none is given. */
export function defaultPriority(template: ProcessTemplate): string {
  const sorted = [...template.priorities].sort((a, b) => a.order - b.order);
  const mid = sorted[Math.floor(sorted.length / 2)];
  if (!mid) throw new Error('the template declares no priorities');
  return mid.id;
}

/** Accepts `IR-12`, `ir-12` or `12`; the kind, when given, must match the item's. */
export function parseItemKey(key: string): { kind: string | null; number: number } | null {
  const m = /^(?:([A-Za-z][A-Za-z0-9]*)-)?(\d{1,9})$/.exec(key.trim());
  if (!m) return null;
  return { kind: m[1]?.toUpperCase() ?? null, number: Number(m[2]) };
}

/** The fields of a work item an update may change. */
export type WorkItemFieldChange = {
  helpdeskRef?: string | undefined;
  title?: string | undefined;
  description?: string | undefined;
  owner?: string | null | undefined;
  priority?: string | undefined;
  elements?: ElementInput[] | undefined;
};

/** What an update changes: exactly the fields it gives (`owner: null` takes the owner away). */
export function workItemChange(input: WorkItemFieldChange): {
  helpdeskRef?: string;
  title?: string;
  description?: string;
  owner?: string | null;
  priority?: string;
  elements?: ElementInput[];
} {
  const out: ReturnType<typeof workItemChange> = {};
  if (input.helpdeskRef !== undefined) out.helpdeskRef = input.helpdeskRef;
  if (input.title !== undefined) out.title = input.title;
  if (input.description !== undefined) out.description = input.description;
  if (input.owner !== undefined) out.owner = input.owner;
  if (input.priority !== undefined) out.priority = input.priority;
  if (input.elements !== undefined) out.elements = input.elements;
  return out;
}

/** A release as an item's assignment sees it: which one, its state, and whether that state is terminal. */
export type AssignedRelease = { id: string; name: string; state: string; closed: boolean };

/** An item in a closed release stays there: it can be neither moved nor taken out. */
export function checkItemMovable(current: AssignedRelease | undefined): void {
  if (current?.closed) {
    throw new ConflictError(`release ${current.name} is ${current.state}; its items can no longer be moved`, 'release-closed');
  }
}

/**
 * What putting item `key` into `target` (null: out of any release) is, given
 * the release it is in now: attaching, moving (only when `move` is asked) or
 * detaching. Refuses a closed target, the release the item is already in,
 * and taking out an item that is in none. The current release is checked
 * first with checkItemMovable.
 */
export function assignmentOf(
  key: string,
  current: AssignedRelease | undefined,
  target: AssignedRelease | null,
  move: boolean,
): 'item.attach' | 'item.detach' | 'item.move' {
  if (target === null) {
    if (!current) throw new ConflictError(`${key} is not in any release`, 'not-assigned');
    return 'item.detach';
  }
  if (target.closed) throw new ConflictError(`release ${target.name} is ${target.state}; items can no longer be added`, 'release-closed');
  if (current?.id === target.id) throw new ConflictError(`${key} is already in ${target.name}`, 'already-assigned');
  if (current && !move) {
    throw new ConflictError(`${key} is already in ${current.name}; move it (move: true) to put it into ${target.name}`, 'already-assigned');
  }
  return current ? 'item.move' : 'item.attach';
}
