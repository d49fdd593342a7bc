import { createHash, randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import path from 'node:path';
import type { TransferFile } from '../../src/integrations/sftp/index.js';

const MiB = 1024 * 1024;

/** A file of `size` bytes: random 1 MiB blocks, each made distinct by its index, hashed while written. */
export async function writeRandomFile(file: string, size: number): Promise<TransferFile> {
  const block = randomBytes(MiB);
  const hash = createHash('sha256');
  const out = createWriteStream(file);
  for (let left = size, i = 0; left > 0; i++) {
    const n = Math.min(MiB, left);
    const chunk = Buffer.from(block.subarray(0, n));
    chunk.writeUInt32BE(i, 0);
    hash.update(chunk);
    if (!out.write(chunk)) await new Promise<void>((r) => out.once('drain', () => r()));
    left -= n;
  }
  await new Promise<void>((resolve, reject) => out.end((err?: Error | null) => (err ? reject(err) : resolve())));
  return { localPath: file, remoteName: path.basename(file), size, sha256: hash.digest('hex') };
}
