import { describe, expect, it } from 'vitest';
import { loadSettings, SettingsError } from '../../src/config/settings.js';

const load = (env: Record<string, string>) => loadSettings(env, '/tmp');

describe('mail and job settings', () => {
  it('defaults: no SMTP server (maildir), jobs on every 5 s, links to the listening address', () => {
    const s = load({});
    expect(s).toMatchObject({
      smtp: undefined,
      mailFrom: 'relman <relman@localhost>',
      publicUrl: 'http://127.0.0.1:8080',
      jobs: true,
      jobsIntervalMs: 5000,
    });
    expect(load({ RELMAN_HOST: '::1', RELMAN_PORT: '9000' }).publicUrl).toBe('http://[::1]:9000');
  });

  it('reads an SMTP server with TLS and authentication', () => {
    const s = load({
      RELMAN_SMTP_HOST: 'smtp.example.org',
      RELMAN_SMTP_PORT: '465',
      RELMAN_SMTP_SECURE: 'true',
      RELMAN_SMTP_USER: 'relman',
      RELMAN_SMTP_PASSWORD: 'secret',
      RELMAN_SMTP_TLS_REJECT_UNAUTHORIZED: 'false',
      RELMAN_MAIL_FROM: 'Release Management <releases@example.org>',
      RELMAN_PUBLIC_URL: 'https://relman.example.org/',
      RELMAN_JOBS: 'off',
      RELMAN_JOBS_INTERVAL_MS: '250',
    });
    expect(s.smtp).toEqual({
      host: 'smtp.example.org',
      port: 465,
      secure: true,
      requireStartTls: false,
      auth: { user: 'relman', password: 'secret' },
      tlsRejectUnauthorized: false,
    });
    expect(s).toMatchObject({
      mailFrom: 'Release Management <releases@example.org>',
      publicUrl: 'https://relman.example.org',
      jobs: false,
      jobsIntervalMs: 250,
    });
    expect(load({ RELMAN_SMTP_HOST: 'mx', RELMAN_SMTP_STARTTLS: 'yes' }).smtp).toMatchObject({
      port: 587,
      secure: false,
      requireStartTls: true,
      auth: undefined,
      tlsRejectUnauthorized: true,
    });
  });

  it.each([
    [{ RELMAN_SMTP_HOST: 'mx', RELMAN_SMTP_PORT: '0' }, /RELMAN_SMTP_PORT must be a whole number 1-65535/],
    [{ RELMAN_SMTP_HOST: 'mx', RELMAN_SMTP_PORT: 'smtp' }, /RELMAN_SMTP_PORT must be a number/],
    [{ RELMAN_SMTP_HOST: 'mx', RELMAN_SMTP_SECURE: 'maybe' }, /RELMAN_SMTP_SECURE must be true or false/],
    [{ RELMAN_SMTP_HOST: 'mx', RELMAN_SMTP_SECURE: '1', RELMAN_SMTP_STARTTLS: '1' }, /exclude each other/],
    [{ RELMAN_SMTP_HOST: 'mx', RELMAN_SMTP_USER: 'u' }, /set both or neither/],
    [{ RELMAN_SMTP_PORT: '25' }, /without RELMAN_SMTP_HOST/],
    [{ RELMAN_MAIL_FROM: 'relman' }, /RELMAN_MAIL_FROM must be an address/],
    [{ RELMAN_PUBLIC_URL: 'ftp://x' }, /RELMAN_PUBLIC_URL must be an http\(s\) URL/],
    [{ RELMAN_PUBLIC_URL: 'not a url' }, /RELMAN_PUBLIC_URL/],
    [{ RELMAN_JOBS: 'sometimes' }, /RELMAN_JOBS must be true or false/],
    [{ RELMAN_JOBS_INTERVAL_MS: '10' }, /RELMAN_JOBS_INTERVAL_MS must be a whole number 50-3600000/],
  ])('refuses %o', (env, message) => {
    expect(() => load(env)).toThrow(SettingsError);
    expect(() => load(env)).toThrow(message);
  });
});
