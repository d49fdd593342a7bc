import { createHash, randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, rename, stat, unlink } from 'node:fs/promises';
import path from 'node:path';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import type { ApiClient } from '../client.js';
import { CliError, EXIT } from '../errors.js';
import { progress } from '../progress.js';

/**
 * The file name the server suggests (Content-Disposition), made safe to
 * create in the current folder: no folders, no hidden or special names.
 */
export function safeFileName(disposition: string | null, fallback: string): string {
  const star = /filename\*\s*=\s*(?:UTF-8|utf-8)''([^;]+)/.exec(disposition ?? '')?.[1];
  const plain = /filename\s*=\s*(?:"([^"]*)"|([^;\s]+))/.exec(disposition ?? '');
  let raw = plain?.[1] ?? plain?.[2] ?? '';
  if (star) {
    try {
      raw = decodeURIComponent(star);
    } catch {
      // Keep the plain name.
    }
  }
  const base = raw.split(/[\\/]/).pop() ?? '';
  const clean = base
    .replace(/[^A-Za-z0-9._-]/g, '_')
    .replace(/^\.+/, '')
    .slice(0, 255);
  return clean === '' ? fallback : clean;
}

/**
 * Where `-o` puts the file. A folder (an existing one, or any path ending in
 * `/`) keeps the file's own name; a folder given with `/` that does not exist
 * yet is created. A file path needs an existing folder: a typo is reported,
 * not turned into new folders.
 */
async function targetFile(output: string | undefined, suggested: string): Promise<string> {
  if (output === undefined) return path.resolve(suggested);
  const named = /[\\/]$/.test(output);
  // `file.xml/` of an existing file: stat would say ENOTDIR, so the name is looked at without its slash.
  const existing = await stat(output.replace(/(.)[\\/]+$/, '$1')).catch(() => null);
  if (named || existing?.isDirectory() === true) {
    if (existing && !existing.isDirectory()) throw new CliError(`cannot write into ${output}: it is a file, not a folder`, EXIT.usage);
    if (!existing) {
      try {
        await mkdir(output, { recursive: true });
      } catch (err) {
        throw new CliError(`cannot create the folder ${output}: ${(err as Error).message}`, EXIT.failure);
      }
    }
    return path.resolve(output, suggested);
  }
  const folder = path.dirname(path.resolve(output));
  if ((await stat(folder).catch(() => null))?.isDirectory() !== true) {
    throw new CliError(
      `cannot write ${output}: the folder ${folder} does not exist (end -o with / to have it created: -o ${path.dirname(output)}/)`,
      EXIT.usage,
    );
  }
  return path.resolve(output);
}

export type DownloadResult = { file: string; size: number; sha256: string };

/**
 * Streams a package file to `output` (or the server's file name): written to
 * a temporary file beside it, hashed while it is written, and renamed into
 * place only when its SHA-256 matches X-Checksum-SHA256. On a mismatch the
 * temporary file is removed and nothing is left behind.
 */
export async function downloadPackage(
  api: ApiClient,
  urlPath: string,
  query: Record<string, string | undefined>,
  opts: { output?: string | undefined; fallbackName: string; quiet: boolean },
): Promise<DownloadResult> {
  const res = await api.fetchOk('GET', urlPath, { query, headers: { accept: 'application/octet-stream, application/problem+json' } });
  const expected = res.headers.get('x-checksum-sha256')?.toLowerCase() ?? '';
  if (!/^[0-9a-f]{64}$/.test(expected)) {
    await res.body?.cancel().catch(() => undefined);
    throw new CliError('the server sent no valid X-Checksum-SHA256 header: the file cannot be verified', EXIT.failure);
  }
  const suggested = safeFileName(res.headers.get('content-disposition'), opts.fallbackName);
  let target: string;
  try {
    target = await targetFile(opts.output, suggested);
  } catch (err) {
    await res.body?.cancel().catch(() => undefined);
    throw err;
  }
  const tmp = path.join(path.dirname(target), `.${path.basename(target)}.${randomBytes(6).toString('hex')}.part`);
  const total = Number(res.headers.get('content-length') ?? 0);
  const bar = progress({ label: `downloading ${path.basename(target)}`, total, quiet: opts.quiet });
  const hash = createHash('sha256');
  let size = 0;
  const tap = new Transform({
    transform(chunk: Buffer, _enc, cb) {
      hash.update(chunk);
      size += chunk.byteLength;
      bar.add(chunk.byteLength);
      cb(null, chunk);
    },
  });
  if (!res.body) throw new CliError('the server sent no file', EXIT.failure);
  const out = createWriteStream(tmp, { flags: 'wx', mode: 0o644 });
  try {
    await pipeline(Readable.fromWeb(res.body as WebReadableStream<Uint8Array>), tap, out);
  } catch (err) {
    bar.fail();
    await unlink(tmp).catch(() => undefined);
    throw new CliError(`download failed: ${(err as Error).message}`, EXIT.failure);
  }
  const actual = hash.digest('hex');
  if (actual !== expected || (total > 0 && size !== total)) {
    bar.fail();
    await unlink(tmp).catch(() => undefined);
    throw new CliError(
      `checksum mismatch: the server announced ${expected} (${total} bytes), got ${actual} (${size} bytes); nothing was written`,
      EXIT.failure,
    );
  }
  try {
    await rename(tmp, target);
  } catch (err) {
    await unlink(tmp).catch(() => undefined);
    throw new CliError(`cannot write ${target}: ${(err as Error).message}`, EXIT.failure);
  }
  bar.done(`downloaded ${path.basename(target)}:`);
  return { file: target, size, sha256: actual };
}
