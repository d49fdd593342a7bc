import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { openApiDocument } from '../../src/http/openapi-document.js';
import { TYPES_FILE, typesFrom } from '../../scripts/openapi-types.js';

describe('the web application’s API types', () => {
  it('are generated from the OpenAPI document the routes produce now (npm run gen:api when this fails)', async () => {
    const fresh = await typesFrom(await openApiDocument());
    const committed = readFileSync(TYPES_FILE, 'utf8');
    // A whole-file comparison would print 17 000 lines; name the first line that differs instead.
    const a = committed.split('\n');
    const b = fresh.split('\n');
    const at = a.findIndex((line, i) => line !== b[i]);
    expect(at === -1 && a.length === b.length ? 'up to date' : `stale from line ${at + 1}: ${a[at]} ≠ ${b[at]}`).toBe('up to date');
  });
});
