import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const root = path.resolve(import.meta.dirname, '../..');

function sources(dir: string): string[] {
  return readdirSync(path.join(root, dir), { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.ts'))
    .map((f) => path.join(dir, f));
}

/** Lines of `files` that match `pattern`, as `file:line: text`. */
function offending(files: string[], pattern: RegExp): string[] {
  const found: string[] = [];
  for (const f of files) {
    readFileSync(path.join(root, f), 'utf8')
      .split('\n')
      .forEach((line, i) => {
        if (pattern.test(line)) found.push(`${f}:${i + 1}: ${line.trim()}`);
      });
  }
  return found;
}

/**
 * The rules of docs/architecture.md ("Queries and JSON columns"), checked
 * over the source: a query or a column's JSON parsing outside the
 * repositories is listed by file and line.
 */
describe('repository boundary', () => {
  const layers = [...sources('src/services'), ...sources('src/jobs'), ...sources('src/http'), ...sources('src/cli')];

  it('builds every query in src/db/repositories', () => {
    expect(offending(layers, /\.(selectFrom|insertInto|updateTable|deleteFrom|replaceInto|mergeInto)\(/)).toEqual([]);
  });

  it('decodes JSON columns only through their codecs', () => {
    // The mail and HTTP layers parse JSON that is not a column (request bodies, answers); services and jobs parse none.
    const servicesAndJobs = layers.filter((f) => f.startsWith('src/services/') || f.startsWith('src/jobs/'));
    expect(offending(servicesAndJobs, /JSON\.parse\(/)).toEqual([]);
  });
});
