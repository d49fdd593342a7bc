import { evaluateGate, gateById, type GateResult } from '../lifecycle/gates.js';
import type { ReleaseSnapshot } from '../lifecycle/snapshot.js';
import type { DeploymentPlan, DeploymentStepTemplate } from '../template/deployment-schema.js';
import type { ProcessTemplate } from '../template/schema.js';

/**
 * Which steps a run takes and whether it may start (P6, P7, P10), without I/O.
 */

export function planOf(t: ProcessTemplate, environment: string): DeploymentPlan | undefined {
  return t.deployments.find((p) => p.environment === environment);
}

/** The plan's steps a release's run takes: enabled ones, of the channels the release carries (or of no channel). */
export function stepsForRelease(plan: DeploymentPlan, channels: readonly string[]): DeploymentStepTemplate[] {
  return plan.steps.filter((s) => s.enabled && (s.channel === undefined || channels.includes(s.channel)));
}

export type StartCheck = { ok: true; gates: GateResult[] } | { ok: false; unmet: string[]; gates: GateResult[] };

/**
 * Whether the release's workflow lets a run to the plan's environment start:
 * its state is one the plan names and every gate the plan names holds.
 */
export function checkStart(t: ProcessTemplate, plan: DeploymentPlan, s: ReleaseSnapshot): StartCheck {
  const unmet: string[] = [];
  if (!plan.states.includes(s.state)) {
    const names = plan.states.map((id) => t.states.find((x) => x.id === id)?.name ?? id);
    const now = t.states.find((x) => x.id === s.state)?.name ?? s.state;
    unmet.push(`the release is ${now}; a deployment to this environment starts only when it is ${names.join(' or ')}`);
  }
  const gates: GateResult[] = [];
  for (const id of plan.gates) {
    const gate = gateById(t, id);
    if (!gate) {
      unmet.push(`gate "${id}" is not defined`);
      continue;
    }
    const r = evaluateGate(t, gate, s);
    gates.push(r);
    if (!r.pass) unmet.push(`${r.name}: ${r.reasons.join('; ')}`);
  }
  return unmet.length === 0 ? { ok: true, gates } : { ok: false, unmet, gates };
}

const VARIABLE = /\$\{(RELMAN_[A-Z0-9_]+)\}/g;

/**
 * A template command's arguments with `${RELMAN_…}` replaced by the step's
 * values. Only those names are replaced, each by a value relman computed
 * (never text of a request); an unknown name is an error, not an empty string.
 */
export function expandArguments(argv: readonly string[], values: Readonly<Record<string, string>>): string[] {
  return argv.map((arg) =>
    arg.replace(VARIABLE, (_m, name: string) => {
      const v = values[name];
      if (v === undefined) throw new Error(`the command uses \${${name}}, which this step does not have`);
      return v;
    }),
  );
}

/** Automatic steps run in relman (leased); manual ones wait for a person. */
export const isAutomatic = (kind: string): boolean => kind !== 'manual';
