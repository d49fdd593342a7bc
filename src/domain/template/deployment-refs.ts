import { checkRoles, ids, section, uniqueIds, type RefProblem } from './lifecycle-refs.js';
import { stepSchema } from './lifecycle-schema.js';
import { deploymentPlanSchema, type DeploymentStepTemplate } from './deployment-schema.js';

type Obj = Record<string, unknown>;

const AUTOMATIC_ONLY = ['command'] as const;
const MANUAL_ONLY = ['instructions', 'mail', 'escalation'] as const;

function stepShapeProblems(at: string, s: DeploymentStepTemplate, out: RefProblem[]): void {
  const bad = (field: string, message: string) => out.push({ path: `${at}.${field}`, message });
  if ((s.kind === 'transfer' || s.kind === 'target-commands') && s.channel === undefined)
    bad('channel', `a ${s.kind} step works on one channel's target: name the channel`);
  if (s.kind === 'command' && s.command === undefined) bad('command', 'a command step needs a command (argv, timeoutSeconds)');
  if (s.kind !== 'command') for (const f of AUTOMATIC_ONLY) if (s[f] !== undefined) bad(f, `only a command step has a ${f}`);
  if (s.kind !== 'manual') {
    for (const f of MANUAL_ONLY) if (s[f] !== undefined) bad(f, `only a manual step has ${f}`);
    if (s.recordsSteps.length > 0) bad('recordsSteps', 'only a manual step records lifecycle steps: a person confirms them');
    if (s.showsTasks.length > 0) bad('showsTasks', 'only a manual step shows checklist tasks');
  }
}

/**
 * Reference problems of the `deployments` section: environments, roles,
 * states, gates, channels, checklist tasks, mail templates and the lifecycle
 * steps a manual step records. A role that may mark a step done must also be
 * one that may record each lifecycle step it records, or the confirmation
 * would be refused at the worst moment.
 */
export function deploymentProblems(root: Obj): RefProblem[] {
  const out: RefProblem[] = [];
  const plans = section(root, 'deployments', deploymentPlanSchema);
  const roles = ids(root, 'roles');
  const environments = ids(root, 'environments');
  const states = ids(root, 'states');
  const gates = ids(root, 'gates');
  const channels = ids(root, 'channels');
  const checklist = ids(root, 'checklist');
  const mails = ids(root, 'mailTemplates');
  const declaredSteps = ids(root, 'steps');
  // Each lifecycle step parsed on its own: one malformed step must not make the others unknown here.
  const rawSteps = Array.isArray(root['steps']) ? (root['steps'] as unknown[]) : [];
  const lifecycleSteps = new Map(
    rawSteps.flatMap((raw) => {
      const parsed = stepSchema.safeParse(raw);
      return parsed.success ? [[parsed.data.id, parsed.data] as const] : [];
    }),
  );
  const allChannels = [...channels];
  const seen = new Set<string>();
  plans.forEach((plan, pi) => {
    const at = `deployments[${pi}]`;
    if (!environments.has(plan.environment)) out.push({ path: `${at}.environment`, message: `unknown environment "${plan.environment}"` });
    else if (seen.has(plan.environment))
      out.push({ path: `${at}.environment`, message: `environment "${plan.environment}" already has a plan` });
    seen.add(plan.environment);
    checkRoles(`${at}.roles`, plan.roles, roles, out);
    plan.states.forEach((s, i) => states.has(s) || out.push({ path: `${at}.states[${i}]`, message: `unknown state "${s}"` }));
    plan.gates.forEach((g, i) => gates.has(g) || out.push({ path: `${at}.gates[${i}]`, message: `unknown gate "${g}"` }));
    uniqueIds(`${at}.steps`, plan.steps, out);
    plan.steps.forEach((s, si) => {
      const sat = `${at}.steps[${si}]`;
      stepShapeProblems(sat, s, out);
      checkRoles(`${sat}.roles`, s.roles, roles, out);
      if (s.channel !== undefined && !channels.has(s.channel))
        out.push({ path: `${sat}.channel`, message: `unknown channel "${s.channel}"` });
      if (s.completesTask !== undefined && !checklist.has(s.completesTask))
        out.push({ path: `${sat}.completesTask`, message: `unknown checklist task "${s.completesTask}"` });
      s.showsTasks.forEach(
        (t, i) => checklist.has(t) || out.push({ path: `${sat}.showsTasks[${i}]`, message: `unknown checklist task "${t}"` }),
      );
      if (s.mail !== undefined && !mails.has(s.mail)) out.push({ path: `${sat}.mail`, message: `unknown mail template "${s.mail}"` });
      if (s.escalation && !mails.has(s.escalation.mail))
        out.push({ path: `${sat}.escalation.mail`, message: `unknown mail template "${s.escalation.mail}"` });
      // A non-manual step's recordsSteps is already refused as a whole.
      if (s.kind === 'manual')
        s.recordsSteps.forEach((ls, i) => {
          const path = `${sat}.recordsSteps[${i}]`;
          if (!declaredSteps.has(ls)) return void out.push({ path, message: `unknown step "${ls}"` });
          const lifecycle = lifecycleSteps.get(ls);
          if (!lifecycle) return;
          for (const channel of s.channel !== undefined ? [s.channel] : allChannels) {
            const allowed = lifecycle.roles[channel];
            if (allowed === undefined) {
              if (s.channel !== undefined) out.push({ path, message: `step "${ls}" is not recorded for channel "${channel}"` });
              continue;
            }
            const missing = s.roles.filter((r) => !allowed.includes(r));
            if (missing.length > 0)
              out.push({ path, message: `role(s) ${missing.join(', ')} may mark this step done but not record "${ls}" for ${channel}` });
          }
        });
    });
  });
  return out;
}
