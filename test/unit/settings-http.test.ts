import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadSettings, SettingsError } from '../../src/config/settings.js';

const load = (env: Record<string, string>, cwd = '/tmp') => loadSettings(env, cwd);

describe('timeout and metrics settings', () => {
  it('defaults: 30 s for headers, 60 s for a body or an upload stall, 5 s idle; no metrics token', () => {
    expect(load({})).toMatchObject({
      headersTimeoutMs: 30_000,
      requestTimeoutMs: 60_000,
      uploadStallTimeoutMs: 60_000,
      idleTimeoutMs: 5_000,
      metricsToken: undefined,
    });
  });

  it('reads RELMAN_*_TIMEOUT_MS and RELMAN_METRICS_TOKEN, over the config file', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'relman-settings-'));
    writeFileSync(
      path.join(dir, 'c.json'),
      JSON.stringify({ requestTimeoutMs: 1234, idleTimeoutMs: 99, metricsToken: 'from-the-file-0123456789' }),
    );
    const s = load(
      {
        RELMAN_CONFIG: 'c.json',
        RELMAN_HEADERS_TIMEOUT_MS: '10000',
        RELMAN_UPLOAD_STALL_TIMEOUT_MS: '300000',
        RELMAN_IDLE_TIMEOUT_MS: '2000',
        RELMAN_METRICS_TOKEN: 'scrape-me-0123456789abcdef',
      },
      dir,
    );
    expect(s).toMatchObject({
      headersTimeoutMs: 10_000,
      requestTimeoutMs: 1234,
      uploadStallTimeoutMs: 300_000,
      idleTimeoutMs: 2000,
      metricsToken: 'scrape-me-0123456789abcdef',
    });
  });

  it('refuses nonsense', () => {
    const nonsense: Record<string, string>[] = [
      { RELMAN_REQUEST_TIMEOUT_MS: '0' },
      { RELMAN_HEADERS_TIMEOUT_MS: 'soon' },
      { RELMAN_UPLOAD_STALL_TIMEOUT_MS: '1.5' },
      { RELMAN_IDLE_TIMEOUT_MS: '-1' },
      { RELMAN_METRICS_TOKEN: 'short' },
    ];
    for (const env of nonsense) {
      expect(() => load(env), JSON.stringify(env)).toThrow(SettingsError);
    }
  });
});
