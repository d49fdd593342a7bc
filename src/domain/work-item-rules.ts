import type { FieldProblem } from './errors.js';
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
