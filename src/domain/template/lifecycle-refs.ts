import { z } from 'zod';
import { SYSTEM_ROLES } from '../permissions.js';
import {
  approvalStepSchema,
  failureCauseSchema,
  gateSchema,
  issueCategorySchema,
  reportSchema,
  stepSchema,
  workflowSchema,
  type GateCheck,
} from './lifecycle-schema.js';

export type RefProblem = { path: string; message: string };
type Obj = Record<string, unknown>;

const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Ids declared by a list section of the raw document (whatever the rest of its shape). */
export function ids(root: Obj, section: string): Set<string> {
  const v = root[section];
  if (!Array.isArray(v)) return new Set();
  return new Set(
    v
      .filter(isObj)
      .map((x) => x['id'])
      .filter((x): x is string => typeof x === 'string'),
  );
}

/** A section parsed on its own, so one broken section does not hide the references of another. */
export function section<T extends z.ZodType>(root: Obj, key: string, schema: T): z.infer<T>[] {
  const parsed = z.array(schema).safeParse(root[key] ?? []);
  return parsed.success ? parsed.data : [];
}

export function uniqueIds(path: string, list: { id: string }[], out: RefProblem[]): void {
  const seen = new Set<string>();
  list.forEach((x, i) => {
    if (seen.has(x.id)) out.push({ path: `${path}[${i}].id`, message: `duplicate id "${x.id}"` });
    seen.add(x.id);
  });
}

export function checkRoles(path: string, roles: readonly string[], known: Set<string>, out: RefProblem[]): void {
  roles.forEach((r, i) => {
    if (!known.has(r)) out.push({ path: `${path}[${i}]`, message: `unknown role "${r}"` });
    else if (r === SYSTEM_ROLES.viewer)
      out.push({ path: `${path}[${i}]`, message: 'the viewer role reads only and cannot be given a step' });
  });
}

type Known = {
  roles: Set<string>;
  states: Set<string>;
  terminal: Set<string>;
  channels: Set<string>;
  environments: Set<string>;
  kinds: Set<string>;
  approvals: Set<string>;
  steps: Set<string>;
  categories: Set<string>;
  reports: Set<string>;
  gates: Set<string>;
  checklist: Set<string>;
};

function checkGateCheck(path: string, check: GateCheck, k: Known, out: RefProblem[]): void {
  const bad = (sub: string, message: string) => out.push({ path: `${path}.${sub}`, message });
  if ('approval' in check && !k.approvals.has(check.approval)) bad('approval', `unknown approval step "${check.approval}"`);
  if ('steps' in check) check.steps.forEach((s, i) => k.steps.has(s) || bad(`steps[${i}]`, `unknown step "${s}"`));
  const tested =
    'itemsPassed' in check
      ? { key: 'itemsPassed', c: check.itemsPassed }
      : 'packagesTested' in check
        ? { key: 'packagesTested', c: check.packagesTested }
        : null;
  if (tested) {
    tested.c.environments.forEach((e, i) => k.environments.has(e) || bad(`${tested.key}.environments[${i}]`, `unknown environment "${e}"`));
    tested.c.singleEnvironmentKinds.forEach(
      (kd, i) => k.kinds.has(kd) || bad(`${tested.key}.singleEnvironmentKinds[${i}]`, `unknown work item kind "${kd}"`),
    );
  }
  if ('noOpenIssues' in check && !k.categories.has(check.noOpenIssues))
    bad('noOpenIssues', `unknown issue category "${check.noOpenIssues}"`);
  if ('report' in check && !k.reports.has(check.report)) bad('report', `unknown report "${check.report}"`);
  if ('checklistDone' in check && !k.checklist.has(check.checklistDone))
    bad('checklistDone', `unknown checklist task "${check.checklistDone}"`);
}

function checkWorkflows(root: Obj, k: Known, out: RefProblem[]): void {
  const workflows = section(root, 'workflows', workflowSchema);
  uniqueIds('workflows', workflows, out);
  workflows.forEach((w, wi) => {
    uniqueIds(`workflows[${wi}].transitions`, w.transitions, out);
    w.transitions.forEach((t, ti) => {
      const at = `workflows[${wi}].transitions[${ti}]`;
      t.from.forEach((s, i) => {
        if (!k.states.has(s)) out.push({ path: `${at}.from[${i}]`, message: `unknown state "${s}"` });
        else if (k.terminal.has(s)) out.push({ path: `${at}.from[${i}]`, message: `state "${s}" is terminal: nothing leaves it` });
      });
      if (!k.states.has(t.to)) out.push({ path: `${at}.to`, message: `unknown state "${t.to}"` });
      checkRoles(`${at}.roles`, t.roles, k.roles, out);
      t.gates.forEach((g, i) => k.gates.has(g) || out.push({ path: `${at}.gates[${i}]`, message: `unknown gate "${g}"` }));
    });
  });
}

/** Every reference problem among the lifecycle sections, with paths like `workflows[0].transitions[3].gates[1]`. */
export function lifecycleProblems(root: Obj): RefProblem[] {
  const out: RefProblem[] = [];
  const states = Array.isArray(root['states']) ? root['states'].filter(isObj) : [];
  const k: Known = {
    roles: ids(root, 'roles'),
    states: ids(root, 'states'),
    terminal: new Set(states.filter((s) => s['terminal'] === true).map((s) => String(s['id']))),
    channels: ids(root, 'channels'),
    environments: ids(root, 'environments'),
    kinds: ids(root, 'workItemKinds'),
    approvals: ids(root, 'approvals'),
    steps: ids(root, 'steps'),
    categories: ids(root, 'issueCategories'),
    reports: ids(root, 'reports'),
    gates: ids(root, 'gates'),
    checklist: ids(root, 'checklist'),
  };
  const gates = section(root, 'gates', gateSchema);
  uniqueIds('gates', gates, out);
  gates.forEach((g, i) => checkGateCheck(`gates[${i}].check`, g.check, k, out));

  const approvals = section(root, 'approvals', approvalStepSchema);
  uniqueIds('approvals', approvals, out);
  approvals.forEach((a, i) => {
    checkRoles(`approvals[${i}].roles`, a.roles, k.roles, out);
    if (a.onReject && !k.states.has(a.onReject.to))
      out.push({ path: `approvals[${i}].onReject.to`, message: `unknown state "${a.onReject.to}"` });
    uniqueIds(`approvals[${i}].attestations`, a.attestations, out);
  });

  const steps = section(root, 'steps', stepSchema);
  uniqueIds('steps', steps, out);
  steps.forEach((s, i) => {
    for (const [channel, roles] of Object.entries(s.roles)) {
      if (!k.channels.has(channel))
        out.push({ path: `steps[${i}].roles[${JSON.stringify(channel)}]`, message: `unknown channel "${channel}"` });
      checkRoles(`steps[${i}].roles[${JSON.stringify(channel)}]`, roles, k.roles, out);
    }
  });

  uniqueIds('issueCategories', section(root, 'issueCategories', issueCategorySchema), out);
  uniqueIds('failureCauses', section(root, 'failureCauses', failureCauseSchema), out);

  const reports = section(root, 'reports', reportSchema);
  uniqueIds('reports', reports, out);
  reports.forEach((r, i) => {
    uniqueIds(`reports[${i}].parts`, r.parts, out);
    checkRoles(`reports[${i}].roles`, r.roles, k.roles, out);
    r.helpdeskRefs?.kinds.forEach(
      (kd, j) => k.kinds.has(kd) || out.push({ path: `reports[${i}].helpdeskRefs.kinds[${j}]`, message: `unknown work item kind "${kd}"` }),
    );
  });

  checkWorkflows(root, k, out);
  // Declared ids, not the parsed section: a shape error in one workflow must not make every release type's workflow "unknown".
  const workflowIds = ids(root, 'workflows');
  const types = Array.isArray(root['releaseTypes']) ? root['releaseTypes'].filter(isObj) : [];
  types.forEach((t, i) => {
    const w = t['workflow'];
    if (typeof w === 'string' && !workflowIds.has(w)) out.push({ path: `releaseTypes[${i}].workflow`, message: `unknown workflow "${w}"` });
  });
  return out;
}
