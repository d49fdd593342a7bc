export type SftpErrorCode =
  | 'host-key-mismatch'
  | 'authentication'
  | 'permission'
  | 'no-space'
  | 'connection'
  | 'verification'
  | 'not-found'
  | 'invalid-name'
  | 'aborted';

/** A transfer failure with a code a caller can act on; `file` is the remote name concerned, when there is one. */
export class SftpTransferError extends Error {
  readonly code: SftpErrorCode;
  readonly file?: string;
  constructor(code: SftpErrorCode, message: string, file?: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'SftpTransferError';
    this.code = code;
    if (file !== undefined) this.file = file;
  }
}

/** Worth another attempt: the connection or the server may do better next time. */
export function isTransient(err: SftpTransferError): boolean {
  return err.code === 'connection' || err.code === 'verification';
}

/** SFTP status codes (draft-ietf-secsh-filexfer-02, the version OpenSSH speaks). */
const FX_NO_SUCH_FILE = 2;
const FX_PERMISSION_DENIED = 3;
const FX_FAILURE = 4;

type Raw = { code?: unknown; level?: unknown; message?: unknown; errno?: unknown };

/** The server's own words, without ssh2-sftp-client's 'method: ' prefixes. */
function reason(err: unknown): string {
  const m = err instanceof Error ? err.message : String(err);
  return m.replace(/^(?:[_A-Za-z]+(?:->|: ))+/, '').trim() || 'unknown error';
}

/**
 * Maps an ssh2 / ssh2-sftp-client error to a coded error. `what` names the
 * step ("writing CFIS001.war.part"); `file` the remote name concerned.
 */
export function classify(err: unknown, what: string, file?: string): SftpTransferError {
  if (err instanceof SftpTransferError) return err;
  const raw = (typeof err === 'object' && err !== null ? err : {}) as Raw;
  const text = reason(err);
  const cause = { cause: err };
  if (raw.level === 'client-authentication' || /authentication methods failed/i.test(text)) {
    return new SftpTransferError('authentication', `the server refused the login (${what}): ${text}`, file, cause);
  }
  if (raw.code === 'ENOSPC' || raw.code === 'EDQUOT' || /no space|quota/i.test(text)) {
    return new SftpTransferError('no-space', `no space left on the server (${what}): ${text}`, file, cause);
  }
  if (raw.code === FX_PERMISSION_DENIED || raw.code === 'EACCES' || raw.code === 'EPERM') {
    return new SftpTransferError('permission', `permission denied by the server (${what}): ${text}`, file, cause);
  }
  if (raw.code === FX_NO_SUCH_FILE || raw.code === 'ENOENT') {
    return new SftpTransferError('not-found', `no such file or directory on the server (${what}): ${text}`, file, cause);
  }
  if (raw.code === FX_FAILURE) {
    // A generic failure; the caller may know better (free space) and reclassify.
    return new SftpTransferError('connection', `the server reported a failure (${what}): ${text}`, file, cause);
  }
  return new SftpTransferError('connection', `the connection failed (${what}): ${text}`, file, cause);
}

/** Whether an error came back as the SFTP status FAILURE (4), which hides ENOSPC among others. */
export function isGenericFailure(err: SftpTransferError): boolean {
  return (err.cause as Raw | undefined)?.code === FX_FAILURE;
}
