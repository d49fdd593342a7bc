import type { Client as SshClient, SFTPWrapper, Stats } from 'ssh2';
import SftpClient from 'ssh2-sftp-client';
import { classify, SftpTransferError } from './errors.js';
import { fingerprintOf, sameFingerprint } from './fingerprint.js';
import type { SftpTarget } from './types.js';

/** One authenticated SSH connection with its SFTP channel. */
export type Session = {
  client: SftpClient;
  sftp: SFTPWrapper;
  ssh: SshClient;
  close(): Promise<void>;
};

/** Quiet handlers: ssh2-sftp-client's defaults print every close and error to the console. */
const QUIET = { error: () => undefined, end: () => undefined, close: () => undefined };

/**
 * Connects and authenticates, accepting only the host key whose fingerprint
 * the target names. Secrets go to ssh2 and nowhere else.
 */
export async function openSession(target: SftpTarget, signal?: AbortSignal): Promise<Session> {
  const client = new SftpClient('relman-sftp', QUIET);
  // ssh2-sftp-client keeps the ssh2 connection here; its type declarations do not say so.
  const ssh = (client as unknown as { client: SshClient }).client;
  let seen: string | undefined;
  const onAbort = () => ssh.destroy();
  signal?.addEventListener('abort', onAbort, { once: true });
  let sftp: SFTPWrapper;
  try {
    sftp = await client.connect({
      host: target.host,
      port: target.port,
      username: target.username,
      ...(target.privateKey !== undefined ? { privateKey: target.privateKey } : {}),
      ...(target.password !== undefined ? { password: target.password } : {}),
      readyTimeout: 20_000,
      keepaliveInterval: 10_000,
      keepaliveCountMax: 3,
      hostVerifier: (key: Buffer) => {
        seen = fingerprintOf(key);
        return sameFingerprint(seen, target.hostKeyFingerprint);
      },
    });
  } catch (err) {
    signal?.removeEventListener('abort', onAbort);
    ssh.destroy();
    if (signal?.aborted) throw new SftpTransferError('aborted', 'the transfer was cancelled while connecting');
    if (seen !== undefined && !sameFingerprint(seen, target.hostKeyFingerprint)) {
      throw new SftpTransferError(
        'host-key-mismatch',
        `the host key of ${target.host}:${target.port} is ${seen}, but ${target.hostKeyFingerprint} was expected: refusing to connect`,
      );
    }
    throw classify(err, `connecting to ${target.host}:${target.port} as ${target.username}`);
  }
  // Without this, small SFTP writes wait on Nagle's algorithm.
  ssh.setNoDelay(true);
  return {
    client,
    sftp,
    ssh,
    async close() {
      signal?.removeEventListener('abort', onAbort);
      try {
        await client.end();
      } catch {
        ssh.destroy();
      }
    },
  };
}

/** The raw SFTP calls, as promises, keeping the server's status codes on their errors. */
export function statOf(sftp: SFTPWrapper, path: string): Promise<Stats> {
  return new Promise((resolve, reject) => sftp.stat(path, (err, st) => (err ? reject(err) : resolve(st))));
}

export function unlink(sftp: SFTPWrapper, path: string): Promise<void> {
  return new Promise((resolve, reject) => sftp.unlink(path, (err) => (err ? reject(err) : resolve())));
}

/** Removes a file if it is there; a missing file is no error. */
export async function removeIfPresent(sftp: SFTPWrapper, path: string): Promise<boolean> {
  try {
    await unlink(sftp, path);
    return true;
  } catch (err) {
    if ((err as { code?: unknown }).code === 2) return false;
    throw err;
  }
}

export function rename(sftp: SFTPWrapper, from: string, to: string): Promise<void> {
  return new Promise((resolve, reject) => sftp.rename(from, to, (err) => (err ? reject(err) : resolve())));
}

/** OpenSSH's posix-rename (replaces the target atomically); null when the server lacks the extension. */
export function posixRename(sftp: SFTPWrapper, from: string, to: string): Promise<boolean> {
  return new Promise((resolve, reject) => {
    try {
      sftp.ext_openssh_rename(from, to, (err) => (err ? reject(err) : resolve(true)));
    } catch {
      resolve(false); // ssh2 throws at once when the server did not announce the extension
    }
  });
}

/** Bytes free to the account in the file system holding `path`, or null when the server cannot tell. */
export function freeBytes(sftp: SFTPWrapper, path: string): Promise<number | null> {
  return new Promise((resolve) => {
    try {
      sftp.ext_openssh_statvfs(path, (err, fs: { f_bavail?: unknown; f_frsize?: unknown; f_bsize?: unknown } | undefined) => {
        const avail = Number(fs?.f_bavail);
        const block = Number(fs?.f_frsize) || Number(fs?.f_bsize);
        resolve(err || !Number.isFinite(avail) || !Number.isFinite(block) ? null : avail * block);
      });
    } catch {
      resolve(null);
    }
  });
}
