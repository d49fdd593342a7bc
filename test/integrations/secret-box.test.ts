import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { loadSettings, SettingsError } from '../../src/config/settings.js';
import { parseSecretKey, SecretBox, SecretBoxError } from '../../src/integrations/secrets/secret-box.js';

const KEY = Buffer.alloc(32, 7);
const OTHER = Buffer.alloc(32, 9);

describe('secret box', () => {
  it('seals as v1.<keyId>.<iv>.<tag>.<ciphertext> and opens again; the same text seals differently each time', () => {
    const box = new SecretBox(KEY);
    const sealed = box.seal('hunter2 — ünïcode');
    expect(sealed).toMatch(/^v1\.[0-9a-f]{8}\.[A-Za-z0-9_-]{16}\.[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]+$/);
    expect(sealed.split('.')[1]).toBe(box.keyId);
    expect(sealed).not.toContain('hunter2');
    expect(box.open(sealed)).toBe('hunter2 — ünïcode');
    expect(box.seal('hunter2 — ünïcode')).not.toBe(sealed);
    expect(new SecretBox(KEY).open(sealed)).toBe('hunter2 — ünïcode');
  });

  it('refuses a value sealed with another key, naming both key ids', () => {
    const sealed = new SecretBox(OTHER).seal('secret');
    const box = new SecretBox(KEY);
    expect(() => box.open(sealed)).toThrow(SecretBoxError);
    expect(() => box.open(sealed)).toThrow(`sealed with key ${new SecretBox(OTHER).keyId}, RELMAN_SECRET_KEY is ${box.keyId}`);
  });

  it('fails authentication when any part is altered', () => {
    const box = new SecretBox(KEY);
    const sealed = box.seal('a secret long enough to flip a byte');
    const parts = sealed.split('.');
    const flip = (s: string) => {
      const b = Buffer.from(s, 'base64url');
      b[0] = (b[0] ?? 0) ^ 1;
      return b.toString('base64url');
    };
    for (const i of [2, 3, 4]) {
      const tampered = parts.map((p, j) => (j === i ? flip(p) : p)).join('.');
      expect(() => box.open(tampered), `part ${i}`).toThrow(/failed authentication/);
    }
    expect(() => box.open('v1.zz.x')).toThrow(/not a sealed secret/);
    expect(() => box.open('plain text')).toThrow(SecretBoxError);
  });

  it('takes the key as base64 (44 characters) or hex (64 characters)', () => {
    const raw = randomBytes(32);
    expect(parseSecretKey(raw.toString('base64')).equals(raw)).toBe(true);
    expect(parseSecretKey(raw.toString('hex')).equals(raw)).toBe(true);
    expect(parseSecretKey(` ${raw.toString('hex').toUpperCase()}\n`).equals(raw)).toBe(true);
  });

  it('refuses any other key form with a SettingsError naming the variable and the form, never the value', () => {
    const bad = [
      'too-short',
      randomBytes(16).toString('base64'),
      randomBytes(31).toString('hex'),
      randomBytes(33).toString('base64'),
      `${randomBytes(32).toString('hex').slice(0, 63)}g`,
      randomBytes(32).toString('base64url'),
    ];
    for (const value of bad) {
      const load = () => loadSettings({ RELMAN_SECRET_KEY: value }, '/tmp');
      expect(load, value).toThrow(SettingsError);
      expect(load, value).toThrow(
        /RELMAN_SECRET_KEY must be 32 random bytes written as base64 \(44 characters.*or as hex \(64 characters\)/,
      );
      try {
        load();
      } catch (err) {
        expect((err as Error).message).not.toContain(value);
      }
    }
  });

  it('settings: the key comes from the environment only; absent or empty means none', () => {
    const raw = randomBytes(32);
    expect(loadSettings({ RELMAN_SECRET_KEY: raw.toString('base64') }, '/tmp').secretKey?.equals(raw)).toBe(true);
    expect(loadSettings({}, '/tmp').secretKey).toBeUndefined();
    expect(loadSettings({ RELMAN_SECRET_KEY: '' }, '/tmp').secretKey).toBeUndefined();
  });

  it('never shows the key when serialised', () => {
    const box = new SecretBox(KEY);
    expect(JSON.stringify({ box })).toBe(`{"box":"SecretBox(${box.keyId})"}`);
    expect(JSON.stringify({ box })).not.toContain(KEY.toString('hex'));
  });
});
