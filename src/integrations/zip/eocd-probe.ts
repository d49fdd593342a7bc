import { open } from 'node:fs/promises';
import { ArchiveError } from './archive-error.js';

const EOCD_SIGNATURE = 0x06054b50;
const EOCD_MIN_SIZE = 22;
const ZIP64_LOCATOR_SIGNATURE = 0x07064b50;
const ZIP64_LOCATOR_SIZE = 20;
const ZIP64_EOCD_SIGNATURE = 0x06064b50;
const ZIP64_EOCD_SIZE = 56;
const MAX_COMMENT = 0xffff;

// Local file header, empty archive, and the "spanned archive" marker some tools write first.
const LEADING_SIGNATURES = new Set([0x04034b50, 0x06054b50, 0x08074b50]);

export type ProbeResult = {
  /** File size in bytes when probed. */
  size: number;
  /** Starts with a ZIP signature: a failure to find the central directory then means the file was cut off. */
  looksLikeZip: boolean;
};

const NOT_ZIP = 'The file is not a ZIP or WAR archive: it has no ZIP signature at the start and no central directory at the end';
const CUT_OFF =
  'The archive is incomplete: it starts like a ZIP file but its central directory (the table of contents at the end) is missing; ' +
  'the file was probably cut off during upload or transfer';

/**
 * Looks at the first bytes and the end-of-central-directory record before
 * yauzl does, for two reasons:
 *  - yauzl reports "not a zip" and "cut off" with the same error; the first
 *    bytes tell them apart.
 *  - yauzl hands the 64-bit offset in a ZIP64 locator straight to fs.read
 *    from inside an fs callback; an offset beyond 2^53 makes fs.read throw
 *    there, which no caller can catch and which takes the process down. A
 *    hostile upload must not be able to do that, so such offsets are refused
 *    here first.
 * The scan mirrors yauzl's (last signature found searching backwards) so both
 * look at the same record.
 */
export async function probeArchive(file: string): Promise<ProbeResult> {
  let fh;
  try {
    fh = await open(file, 'r');
  } catch (err) {
    throw unreadable(err);
  }
  try {
    const stats = await fh.stat();
    if (!stats.isFile())
      throw new ArchiveError('not-zip', 'The path is not a regular file (a directory or device?); expected a ZIP or WAR archive');
    const size = stats.size;
    if (size === 0) throw new ArchiveError('not-zip', 'The file is empty (0 bytes); it is not a ZIP or WAR archive');

    const head = await readAt(fh, 0, Math.min(4, size));
    const looksLikeZip = head.length === 4 && LEADING_SIGNATURES.has(head.readUInt32LE(0));

    const tailLength = Math.min(size, ZIP64_LOCATOR_SIZE + EOCD_MIN_SIZE + MAX_COMMENT);
    const tailStart = size - tailLength;
    const tail = await readAt(fh, tailStart, tailLength);
    let eocd = -1;
    for (let i = tail.length - EOCD_MIN_SIZE; i >= 0; i--) {
      if (tail.readUInt32LE(i) === EOCD_SIGNATURE) {
        eocd = i;
        break;
      }
    }
    if (eocd < 0) throw new ArchiveError(looksLikeZip ? 'truncated' : 'not-zip', looksLikeZip ? CUT_OFF : NOT_ZIP);

    const commentLength = tail.readUInt16LE(eocd + 20);
    if (eocd + EOCD_MIN_SIZE + commentLength !== tail.length) {
      if (!looksLikeZip) throw new ArchiveError('not-zip', NOT_ZIP);
      throw new ArchiveError(
        'truncated',
        'The archive is damaged: its end-of-archive record does not line up with the end of the file ' +
          '(the file was cut off, or extra bytes were appended after the archive)',
      );
    }

    const locator = eocd - ZIP64_LOCATOR_SIZE;
    if (locator >= 0 && tail.readUInt32LE(locator) === ZIP64_LOCATOR_SIGNATURE) {
      await checkZip64(fh, size, tail.readBigUInt64LE(locator + 8));
    }
    return { size, looksLikeZip };
  } catch (err) {
    if (err instanceof ArchiveError) throw err;
    throw unreadable(err);
  } finally {
    await fh.close().catch(() => undefined);
  }
}

async function checkZip64(fh: Awaited<ReturnType<typeof open>>, size: number, recordOffset: bigint): Promise<void> {
  const damaged = (what: string): ArchiveError =>
    new ArchiveError(
      'truncated',
      `The archive is damaged: its ZIP64 ${what} points outside the file (${size} bytes); the file was cut off or corrupted`,
    );
  if (recordOffset + BigInt(ZIP64_EOCD_SIZE) > BigInt(size)) throw damaged('end-of-archive locator');
  const record = await readAt(fh, Number(recordOffset), ZIP64_EOCD_SIZE);
  // A wrong signature is reported by yauzl with its own words; only offsets that would crash it matter here.
  if (record.readUInt32LE(0) !== ZIP64_EOCD_SIGNATURE) return;
  if (record.readBigUInt64LE(48) > BigInt(size)) throw damaged('central directory offset');
}

async function readAt(fh: Awaited<ReturnType<typeof open>>, position: number, length: number): Promise<Buffer> {
  const buffer = Buffer.alloc(length);
  let done = 0;
  while (done < length) {
    const { bytesRead } = await fh.read(buffer, done, length - done, position + done);
    if (bytesRead === 0) break;
    done += bytesRead;
  }
  return buffer.subarray(0, done);
}

/** fs errors (missing file, no permission, I/O error) as an ArchiveError, so callers handle one error type. */
export function unreadable(err: unknown): ArchiveError {
  const code = typeof err === 'object' && err !== null && 'code' in err ? String(err.code) : undefined;
  const detail = err instanceof Error ? err.message : String(err);
  const why = code === 'ENOENT' ? 'it does not exist' : code === 'EACCES' || code === 'EPERM' ? 'permission denied' : detail;
  return new ArchiveError('not-zip', `The file could not be read as an archive: ${why}`, undefined, { cause: err });
}
