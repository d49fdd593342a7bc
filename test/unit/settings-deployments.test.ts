import { describe, expect, it } from 'vitest';
import { loadSettings } from '../../src/config/settings.js';

describe('deployment settings', () => {
  it('reads the lease of a running step in seconds, 30 by default, and refuses nonsense', () => {
    expect(loadSettings({}, '/tmp').deploymentLeaseMs).toBe(30_000);
    expect(loadSettings({ RELMAN_DEPLOYMENT_LEASE_SECONDS: '5' }, '/tmp').deploymentLeaseMs).toBe(5000);
    for (const bad of ['0', '-1', 'soon', '3601', '1.5'])
      expect(() => loadSettings({ RELMAN_DEPLOYMENT_LEASE_SECONDS: bad }, '/tmp'), bad).toThrow(/RELMAN_DEPLOYMENT_LEASE_SECONDS/);
  });
});
