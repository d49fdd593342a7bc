#!/usr/bin/env node
// `npm run lint`: the type check, type-aware ESLint and the Prettier check,
// run side by side (they share nothing), each with its own output; fails if
// any of them fails.
import { spawn } from 'node:child_process';

const checks = [
  ['type check', 'tsc', ['-p', 'tsconfig.json', '--noEmit']],
  ['type check (web)', 'tsc', ['-p', 'web/tsconfig.json', '--noEmit']],
  ['eslint', 'eslint', ['.']],
  ['prettier', 'prettier', ['--check', '--log-level', 'warn', '.']],
];

const results = await Promise.all(
  checks.map(
    ([name, command, args]) =>
      new Promise((resolve) => {
        const started = performance.now();
        const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
        let output = '';
        child.stdout.on('data', (d) => (output += d));
        child.stderr.on('data', (d) => (output += d));
        child.on('error', (err) => resolve({ name, code: 1, output: `${err.message}\n`, seconds: 0 }));
        child.on('close', (code) => resolve({ name, code: code ?? 1, output, seconds: (performance.now() - started) / 1000 }));
      }),
  ),
);

let failed = false;
for (const r of results) {
  if (r.output.trim() !== '') process.stdout.write(`\n--- ${r.name} ---\n${r.output}`);
  process.stdout.write(`${r.code === 0 ? 'ok  ' : 'FAIL'} ${r.name} (${r.seconds.toFixed(1)} s)\n`);
  failed ||= r.code !== 0;
}
process.exitCode = failed ? 1 : 0;
