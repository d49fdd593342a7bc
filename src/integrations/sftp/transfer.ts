import { stat } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { classify, isGenericFailure, isTransient, SftpTransferError } from './errors.js';
import { checkRemoteName, remotePathOf } from './remote-name.js';
import { freeBytes, openSession, posixRename, removeIfPresent, rename, statOf, type Session } from './session.js';
import type { SftpTarget, TransferFile, TransferOptions, TransferResult } from './types.js';
import { readBackSha256, remoteSha256sum } from './verify.js';

const MiB = 1024 * 1024;
/** fastPut settings that match OpenSSH's own client on loopback (see docs/stack notes). */
const CHUNK = 131_072;
const CONCURRENCY = 16;

const mib = (n: number) => (n / MiB).toFixed(1);

/** Checks everything that can be checked before connecting. */
async function checkFiles(files: TransferFile[]): Promise<void> {
  const names = new Set<string>();
  for (const f of files) {
    checkRemoteName(f.remoteName);
    if (names.has(f.remoteName)) throw new SftpTransferError('invalid-name', `${f.remoteName} is given twice`, f.remoteName);
    names.add(f.remoteName);
    if (!/^[0-9a-f]{64}$/i.test(f.sha256)) {
      throw new SftpTransferError('verification', `${f.remoteName}: the expected SHA-256 is not 64 hex digits`, f.remoteName);
    }
    let size: number;
    try {
      size = (await stat(f.localPath)).size;
    } catch (err) {
      throw new SftpTransferError('not-found', `${f.remoteName}: the local file ${f.localPath} cannot be read`, f.remoteName, {
        cause: err,
      });
    }
    if (size !== f.size) {
      throw new SftpTransferError(
        'verification',
        `${f.remoteName}: the local file has ${size} bytes, ${f.size} were expected`,
        f.remoteName,
      );
    }
  }
}

/**
 * Sends files to the target's drop directory. Each goes to `<name>.part`, is
 * checked (size, then SHA-256 by `sha256sum` on the server or else by reading
 * it back) and only then renamed to its name, so a final name only ever holds
 * a verified file. A dropped connection or a digest mismatch restarts that file
 * after an exponential back-off; permission, space, host-key and login
 * failures stop at once. Files go one after the other on one connection.
 */
export async function transferFiles(target: SftpTarget, files: TransferFile[], opts: TransferOptions = {}): Promise<TransferResult[]> {
  const log = opts.onLog ?? (() => undefined);
  const retries = Math.max(0, opts.retries ?? 3);
  const backoffMs = Math.max(0, opts.backoffMs ?? 1000);
  const signal = opts.signal;
  const abortedError = (file?: string) => new SftpTransferError('aborted', 'the transfer was cancelled', file);

  await checkFiles(files);
  const results: TransferResult[] = [];
  let session: Session | null = null;
  try {
    for (const file of files) {
      for (let attempt = 1; ; attempt++) {
        if (signal?.aborted) throw abortedError(file.remoteName);
        try {
          if (!session) {
            session = await openSession(target, signal);
            log(`connected to ${target.host}:${target.port} as ${target.username}`);
          }
          results.push(await sendOne(session, target, file, attempt, log, signal));
          break;
        } catch (e) {
          const err = signal?.aborted ? abortedError(file.remoteName) : classify(e, `sending ${file.remoteName}`, file.remoteName);
          if (err.code === 'connection' || err.code === 'aborted') {
            await session?.close();
            session = null;
          }
          if (!isTransient(err) || attempt > retries) {
            if (session) await cleanUp(session, target, file);
            throw err;
          }
          const delay = backoffMs * 2 ** (attempt - 1);
          log(`${file.remoteName}: attempt ${attempt} failed (${err.message}); trying again in ${delay} ms`);
          try {
            await sleep(delay, undefined, { signal });
          } catch {
            throw abortedError(file.remoteName);
          }
        }
      }
    }
  } finally {
    await session?.close();
  }
  return results;
}

/** Best effort: a failed file leaves no .part behind when the connection still allows removing it. */
async function cleanUp(session: Session, target: SftpTarget, file: TransferFile): Promise<void> {
  try {
    await removeIfPresent(session.sftp, remotePathOf(target.directory, `${file.remoteName}.part`));
  } catch {
    // the error being reported matters more
  }
}

async function sendOne(
  session: Session,
  target: SftpTarget,
  file: TransferFile,
  attempt: number,
  log: (line: string) => void,
  signal: AbortSignal | undefined,
): Promise<TransferResult> {
  const name = file.remoteName;
  const finalPath = remotePathOf(target.directory, name);
  const partPath = `${finalPath}.part`;
  const { sftp } = session;

  try {
    // A .part from an earlier, interrupted attempt would otherwise be written over in place.
    if (await removeIfPresent(sftp, partPath)) log(`${name}: removed a stale ${partPath}`);
  } catch (err) {
    throw classify(err, `removing a stale ${partPath}`, name);
  }

  log(`${name}: sending ${mib(file.size)} MiB to ${partPath}${attempt > 1 ? ` (attempt ${attempt})` : ''}`);
  const every = Math.max(Math.ceil(file.size / 10), 16 * MiB);
  let nextLog = every;
  try {
    await session.client.fastPut(file.localPath, partPath, {
      chunkSize: CHUNK,
      concurrency: CONCURRENCY,
      step: (done) => {
        if (done < nextLog || done >= file.size) return;
        while (nextLog <= done) nextLog += every;
        log(`${name}: ${mib(done)} of ${mib(file.size)} MiB`);
      },
    });
  } catch (e) {
    if (signal?.aborted) throw new SftpTransferError('aborted', 'the transfer was cancelled', name);
    const err = classify(e, `writing ${partPath}`, name);
    if (isGenericFailure(err)) {
      // OpenSSH reports ENOSPC as a bare "Failure": ask the server for its free space.
      const free = await freeBytes(sftp, target.directory);
      if (free !== null && free < file.size) {
        throw new SftpTransferError(
          'no-space',
          `no space left on the server for ${name}: ${mib(file.size)} MiB needed, ${mib(free)} MiB free in ${target.directory}`,
          name,
          { cause: e },
        );
      }
    }
    throw err;
  }
  log(`${name}: ${mib(file.size)} of ${mib(file.size)} MiB sent; verifying`);

  let remoteSize: number;
  try {
    remoteSize = (await statOf(sftp, partPath)).size;
  } catch (err) {
    throw classify(err, `checking ${partPath}`, name);
  }
  if (remoteSize !== file.size) {
    await removeIfPresent(sftp, partPath).catch(() => false);
    throw new SftpTransferError('verification', `${name}: the server holds ${remoteSize} bytes, ${file.size} were sent`, name);
  }

  const expected = file.sha256.toLowerCase();
  let verifiedBy: TransferResult['verifiedBy'] = 'remote-sha256sum';
  let actual = await remoteSha256sum(session.ssh, partPath, file.size);
  if (actual !== expected) {
    // No shell, or sha256sum saw another file system (a chroot): what SFTP itself reads decides.
    verifiedBy = 'read-back';
    try {
      actual = await readBackSha256(sftp, partPath);
    } catch (err) {
      throw classify(err, `reading ${partPath} back`, name);
    }
  }
  if (actual !== expected) {
    await removeIfPresent(sftp, partPath).catch(() => false);
    throw new SftpTransferError('verification', `${name}: the server's copy has SHA-256 ${actual}, expected ${expected}`, name);
  }

  try {
    await publish(session, partPath, finalPath);
  } catch (err) {
    throw classify(err, `renaming ${partPath} to ${finalPath}`, name);
  }
  log(`${name}: verified (${verifiedBy}) and in place as ${finalPath}`);
  return { remoteName: name, remotePath: finalPath, size: file.size, sha256: expected, verifiedBy, attempts: attempt };
}

/** Renames the verified .part to its final name, replacing an older file of that name. */
async function publish(session: Session, partPath: string, finalPath: string): Promise<void> {
  const { sftp } = session;
  if (await posixRename(sftp, partPath, finalPath)) return;
  try {
    await rename(sftp, partPath, finalPath);
  } catch (err) {
    // Plain SFTP rename refuses an existing target: remove it, then rename.
    if (!(await removeIfPresent(sftp, finalPath))) throw err;
    await rename(sftp, partPath, finalPath);
  }
}
