import { readFileSync } from 'node:fs';
import path from 'node:path';

/**
 * `node --import tsx bench/cpu-profile-summary.ts FILE.cpuprofile… [N]`: the N
 * (default 25) functions with the most self time and with the most inclusive
 * time (time with the function anywhere on the stack) in a V8 CPU profile,
 * as shares of the non-idle samples. Several files (a process's threads)
 * are added up.
 */
type Node = {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
};
type Profile = { nodes: Node[]; samples: number[]; timeDeltas: number[] };

const args = process.argv.slice(2);
const n = args.length > 1 && /^\d+$/.test(args.at(-1) ?? '') ? Number(args.pop()) : 25;
if (args.length === 0) throw new Error('usage: cpu-profile-summary.ts FILE.cpuprofile… [N]');
const profiles = args.map((file) => JSON.parse(readFileSync(file, 'utf8')) as Profile);

const label = (node: Node): string => {
  const { functionName, url, lineNumber } = node.callFrame;
  const where = url
    ? `${url
        .replace(/^file:\/\//, '')
        .replace(/^.*node_modules\//, '~/')
        .replace(`${process.cwd()}/`, '')}:${lineNumber + 1}`
    : '';
  return `${functionName || '(anonymous)'} ${where ? path.normalize(where) : ''}`.trim();
};
const IDLE = new Set(['(idle)', '(program)', '(garbage collector)']);

const self = new Map<string, number>();
const inclusive = new Map<string, number>();
let total = 0;
let gc = 0;
for (const profile of profiles) {
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const parent = new Map<number, number>();
  for (const node of profile.nodes) for (const c of node.children ?? []) parent.set(c, node.id);
  profile.samples.forEach((id, i) => {
    const dt = profile.timeDeltas[i] ?? 0;
    const leaf = byId.get(id);
    if (!leaf) return;
    const name = leaf.callFrame.functionName;
    if (name === '(garbage collector)') gc += dt;
    if (name === '(idle)' || name === '(program)') return;
    total += dt;
    self.set(label(leaf), (self.get(label(leaf)) ?? 0) + dt);
    const seen = new Set<string>();
    for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) {
      const node = byId.get(cur);
      if (!node || IDLE.has(node.callFrame.functionName) || node.callFrame.functionName === '(root)') continue;
      const l = label(node);
      if (seen.has(l)) continue;
      seen.add(l);
      inclusive.set(l, (inclusive.get(l) ?? 0) + dt);
    }
  });
}

const top = (m: Map<string, number>) =>
  [...m.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, n)
    .map(([k, v]) => `${((100 * v) / total).toFixed(1).padStart(5)}%  ${k}`)
    .join('\n');
process.stdout.write(`busy ${(total / 1e6).toFixed(1)} s (garbage collector ${((100 * gc) / total).toFixed(1)}%)\n\n`);
process.stdout.write(`self time\n${top(self)}\n\ninclusive time\n${top(inclusive)}\n`);
