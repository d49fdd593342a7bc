/**
 * Hand-built release snapshots for the pure lifecycle tests: the default
 * template, a clock, and one small helper per kind of recorded fact.
 */
import { readFileSync } from 'node:fs';
import { parseTemplateYaml } from '../../src/domain/template/parse.js';
import type { ProcessTemplate } from '../../src/domain/template/schema.js';
import {
  emptySnapshot,
  type ReleaseSnapshot,
  type SnapshotApproval,
  type SnapshotItem,
  type SnapshotTest,
} from '../../src/domain/lifecycle/snapshot.js';

export const DEFAULT_YAML = readFileSync(new URL('../../templates/cms-net.yaml', import.meta.url), 'utf8');

export function defaultTemplate(): ProcessTemplate {
  const result = parseTemplateYaml(DEFAULT_YAML);
  if (!result.ok) throw new Error(JSON.stringify(result.problems));
  return result.template;
}

export const CREATOR = 'tina.lead';

let tick = 0;
/** Strictly increasing ISO timestamps, so "latest" is always the last one recorded. */
export function now(): string {
  tick += 1;
  return new Date(Date.UTC(2025, 0, 1) + tick * 1000).toISOString();
}

export function release(type: string, state: string, channels: string[] = ['database', 'web']): ReleaseSnapshot {
  return emptySnapshot({ name: 'CFIS001', type, state, channels, createdBy: CREATOR });
}

export function item(n: number, kind = 'IR'): SnapshotItem {
  return { id: `item-${n}`, key: `${kind}-${n}`, kind, helpdeskRef: `HD-${1000 + n}` };
}

export function withItems(s: ReleaseSnapshot, ...items: SnapshotItem[]): ReleaseSnapshot {
  s.items.push(...items);
  return s;
}

export function recordPackage(s: ReleaseSnapshot, channel: string, by = 'dan.dev'): number {
  const version = Math.max(0, ...s.packages.filter((p) => p.channel === channel).map((p) => p.version)) + 1;
  s.packages.push({ channel, version, label: `${channel}-v${version}`, by, at: now() });
  return version;
}

/** Records a step for a channel; package-scoped steps bind to the channel's current package version. */
export function recordStep(s: ReleaseSnapshot, step: string, channel: string, packageVersion: number | null, by = 'dan.dev'): void {
  s.steps.push({ step, channel, packageVersion, by, at: now() });
}

/** A package and its verification on every channel of the release. */
export function verifyPackages(s: ReleaseSnapshot): void {
  for (const c of s.channels) recordStep(s, 'verify-package', c, recordPackage(s, c));
}

export function approve(s: ReleaseSnapshot, step: string, by = 'carol.cmc', extra: Partial<SnapshotApproval> = {}): SnapshotApproval {
  const a: SnapshotApproval = {
    id: `approval-${s.approvals.length + 1}`,
    step,
    decision: 'approved',
    by,
    at: now(),
    comment: '',
    attestations: [],
    voided: false,
    ...extra,
  };
  s.approvals.push(a);
  return a;
}

export function attempt(
  s: ReleaseSnapshot,
  itemId: string,
  environment: string,
  result: 'passed' | 'failed',
  cause: string | null = null,
): SnapshotTest {
  const packages: Record<string, number> = {};
  for (const p of s.packages) packages[p.channel] = Math.max(packages[p.channel] ?? 0, p.version);
  const t: SnapshotTest = { itemId, environment, result, cause, by: 'sam.analyst', at: now(), packages };
  s.tests.push(t);
  return t;
}

export function notifyAll(t: ProcessTemplate, s: ReleaseSnapshot): void {
  for (const sys of t.externalSystems)
    s.notifications.push({
      system: sys.id,
      by: 'tina.lead',
      at: now(),
      note: 'told the interface desk',
      means: 'phone',
      status: 'notified',
      addresses: [],
      accepted: null,
    });
}

/** Writes the Emergency Release Report; by default it cites the help-desk references of the release's IR and DR items. */
export function writeReport(
  s: ReleaseSnapshot,
  parts: Record<string, string>,
  helpdeskRefs: string[] = s.items.filter((i) => i.kind === 'IR' || i.kind === 'DR').map((i) => i.helpdeskRef),
): void {
  s.reports.push({ report: 'emergency-release-report', parts, helpdeskRefs, by: 'tina.lead', at: now() });
}

export const FULL_REPORT: Record<string, string> = {
  summary: 'Fix the eligibility batch',
  'analysis-and-impact': 'Batch aborts nightly; no data loss',
  'test-results': 'Passed in AT',
  'sources-affected': 'ELIG.Batch.cls',
  'release-specifications': 'Install the XML release file',
};
