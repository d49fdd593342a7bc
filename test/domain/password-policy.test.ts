import { describe, expect, it } from 'vitest';
import { passwordProblems } from '../../src/domain/password-policy.js';

const common = new Set(['password1234', 'qwerty123456']);
const ctx = { username: 'Alice.Example', isCommon: (p: string) => common.has(p) };
const rules = (pw: string) => passwordProblems(pw, ctx).map((p) => p.message);

describe('password policy', () => {
  it('accepts a long passphrase', () => {
    expect(rules('correct horse battery staple')).toEqual([]);
  });

  it('refuses blank and whitespace-only passwords with that rule alone', () => {
    expect(rules('')).toEqual(['a password cannot be blank or only spaces']);
    expect(rules(' '.repeat(12))).toEqual(['a password cannot be blank or only spaces']);
    expect(rules('\t \n'.repeat(5))).toEqual(['a password cannot be blank or only spaces']);
  });

  it('refuses a single character repeated, short ones, the username and common ones (any case), naming each rule', () => {
    expect(rules('a'.repeat(12))).toEqual(['a password cannot be a single character repeated']);
    expect(rules('aaaa')).toEqual(['a password has at least 12 characters', 'a password cannot be a single character repeated']);
    expect(rules('ALICE.EXAMPLE')).toEqual(['a password cannot be the username']);
    expect(rules('PassWord1234')).toEqual(['this password is on a list of common passwords; choose another']);
    expect(passwordProblems('x', ctx, 'newPassword')[0]?.path).toBe('newPassword');
  });
});
