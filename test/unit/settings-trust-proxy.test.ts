import { describe, expect, it } from 'vitest';
import { loadSettings, SettingsError } from '../../src/config/settings.js';

const trust = (value: string | undefined) => loadSettings(value === undefined ? {} : { RELMAN_TRUST_PROXY: value }, '/tmp').trustProxy;

describe('RELMAN_TRUST_PROXY', () => {
  it('is off by default and takes true/false', () => {
    expect(trust(undefined)).toBe(false);
    expect(trust('false')).toBe(false);
    expect(trust('true')).toBe(true);
  });

  it('takes a list of proxy addresses and CIDR ranges', () => {
    expect(trust('10.0.0.5, 192.168.0.0/16,2001:db8::/32')).toEqual(['10.0.0.5', '192.168.0.0/16', '2001:db8::/32']);
  });

  it('refuses anything else, naming it', () => {
    expect(() => trust('10.0.0.5,proxy.example')).toThrow(SettingsError);
    expect(() => trust('10.0.0.0/33')).toThrow(/"10.0.0.0\/33"/);
    expect(() => trust('maybe')).toThrow(/comma-separated list of proxy addresses/);
  });
});
