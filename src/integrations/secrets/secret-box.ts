import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';
import { SettingsError } from '../../config/settings-error.js';

/**
 * Secrets at rest (deployment targets' SFTP keys and passwords): AES-256-GCM
 * with a key from RELMAN_SECRET_KEY. A sealed value is text:
 *
 *   v1.<keyId>.<iv>.<tag>.<ciphertext>        (iv, tag, ciphertext base64url)
 *
 * `keyId` is the first 8 hex digits of sha256(key): it tells which key sealed a
 * value, so opening it with another key says so instead of failing obscurely.
 * The key id is not secret (it cannot give the key back).
 */

const VERSION = 'v1';
const KEY_BYTES = 32;
const IV_BYTES = 12;
const TAG_BYTES = 16;
const KEY_VARIABLE = 'RELMAN_SECRET_KEY';

/** A sealed value that cannot be opened: wrong key, altered text or not a sealed value at all. */
export class SecretBoxError extends Error {
  override readonly name = 'SecretBoxError';
}

/**
 * The 32-byte key from its text form: base64 (44 characters, `openssl rand -base64 32`)
 * or hex (64 characters). Anything else is a SettingsError that names the variable and
 * the expected form, never the value.
 */
export function parseSecretKey(value: string, name = KEY_VARIABLE): Buffer {
  const v = value.trim();
  let key: Buffer | undefined;
  if (/^[0-9a-fA-F]{64}$/.test(v)) key = Buffer.from(v, 'hex');
  else if (/^[A-Za-z0-9+/]{43}=$/.test(v)) key = Buffer.from(v, 'base64');
  if (key?.length !== KEY_BYTES) {
    throw new SettingsError(
      `${name} must be 32 random bytes written as base64 (44 characters, e.g. from \`openssl rand -base64 32\`) or as hex (64 characters)`,
    );
  }
  return key;
}

const b64url = (b: Buffer) => b.toString('base64url');

export function keyIdOf(key: Buffer): string {
  return createHash('sha256').update(key).digest('hex').slice(0, 8);
}

export class SecretBox {
  readonly keyId: string;
  readonly #key: Buffer;

  constructor(key: Buffer) {
    if (key.length !== KEY_BYTES) throw new SettingsError(`${KEY_VARIABLE} must be ${KEY_BYTES} bytes`);
    this.#key = Buffer.from(key);
    this.keyId = keyIdOf(key);
  }

  /** From the text of RELMAN_SECRET_KEY (see parseSecretKey). */
  static fromText(value: string): SecretBox {
    return new SecretBox(parseSecretKey(value));
  }

  seal(plaintext: string): string {
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.#key, iv);
    // The version and key id are authenticated too: they cannot be swapped on a sealed value.
    cipher.setAAD(Buffer.from(`${VERSION}.${this.keyId}`));
    const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    return [VERSION, this.keyId, b64url(iv), b64url(cipher.getAuthTag()), b64url(ciphertext)].join('.');
  }

  /** The key id a sealed value names, or undefined when it is not a sealed value. */
  static keyIdOf(sealed: string): string | undefined {
    const parts = sealed.split('.');
    return parts.length === 5 && parts[0] === VERSION ? parts[1] : undefined;
  }

  open(sealed: string): string {
    const parts = sealed.split('.');
    const [version, keyId, iv, tag, ciphertext] = parts;
    if (parts.length !== 5 || version !== VERSION || !keyId || iv === undefined || tag === undefined || ciphertext === undefined) {
      throw new SecretBoxError(`not a sealed secret (expected ${VERSION}.<keyId>.<iv>.<tag>.<ciphertext>)`);
    }
    if (keyId !== this.keyId) {
      throw new SecretBoxError(
        `the secret was sealed with key ${keyId}, ${KEY_VARIABLE} is ${this.keyId}; set the key it was sealed with, or store the secret again`,
      );
    }
    const ivBytes = Buffer.from(iv, 'base64url');
    const tagBytes = Buffer.from(tag, 'base64url');
    if (ivBytes.length !== IV_BYTES || tagBytes.length !== TAG_BYTES) throw new SecretBoxError('the sealed secret is damaged');
    try {
      const decipher = createDecipheriv('aes-256-gcm', this.#key, ivBytes, { authTagLength: TAG_BYTES });
      decipher.setAAD(Buffer.from(`${VERSION}.${keyId}`));
      decipher.setAuthTag(tagBytes);
      return Buffer.concat([decipher.update(Buffer.from(ciphertext, 'base64url')), decipher.final()]).toString('utf8');
    } catch {
      throw new SecretBoxError('the sealed secret failed authentication: it was altered or damaged');
    }
  }

  /** Never print the key, e.g. through a logged object. */
  toJSON(): string {
    return `SecretBox(${this.keyId})`;
  }
}
