import { createHash } from 'node:crypto';

/** A host key's fingerprint as OpenSSH prints it (`ssh-keygen -lf`): 'SHA256:' and the unpadded base64 of the key blob's SHA-256. */
export function fingerprintOf(publicKeyBlob: Buffer): string {
  return 'SHA256:' + createHash('sha256').update(publicKeyBlob).digest('base64').replace(/=+$/, '');
}

/** Compares fingerprints the way a person reads them: the 'SHA256:' prefix is optional and padding is ignored. */
export function sameFingerprint(a: string, b: string): boolean {
  const norm = (s: string) =>
    s
      .trim()
      .replace(/^SHA256:/i, '')
      .replace(/=+$/, '');
  return norm(a) === norm(b) && norm(a).length > 0;
}
