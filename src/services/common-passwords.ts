let common: Promise<Set<string>> | undefined;

/**
 * The list of common passwords of @zxcvbn-ts/language-common (about 49,000),
 * lower-cased; loaded once, on first use, because it is large.
 */
export function commonPasswords(): Promise<Set<string>> {
  common ??= import('@zxcvbn-ts/language-common').then(
    ({ dictionary }) => new Set(dictionary['passwords-common'].map((p) => p.toLowerCase())),
  );
  return common;
}
