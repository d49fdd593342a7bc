import { createHash } from 'node:crypto';
import type { Client as SshClient, SFTPWrapper } from 'ssh2';

const MiB = 1024 * 1024;

/** Single-quotes a word for a POSIX shell. */
function shellQuote(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

/**
 * The SHA-256 of a remote file by `sha256sum` run on the server, or null when
 * the server does not allow it (no shell, an SFTP-only account, no
 * sha256sum, an answer that is not a digest). Standard input is closed at once,
 * so a forced `internal-sftp` ends instead of waiting for SFTP packets.
 */
export function remoteSha256sum(ssh: SshClient, path: string, size: number): Promise<string | null> {
  // sha256sum reads at ≥ 100 MiB/s on anything current; allow a slow disk ten times over.
  const timeoutMs = 30_000 + Math.ceil(size / (10 * MiB)) * 1000;
  return new Promise((resolve) => {
    let settled = false;
    let close: (() => void) | undefined;
    const finish = (v: string | null) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(v);
    };
    const timer = setTimeout(() => {
      close?.();
      finish(null);
    }, timeoutMs);
    try {
      ssh.exec(`sha256sum -b -- ${shellQuote(path)}`, (err, stream) => {
        if (err) return finish(null);
        close = () => stream.close();
        let out = '';
        stream.on('data', (d: Buffer) => {
          if (out.length < 4096) out += d.toString('utf8');
        });
        stream.stderr.on('data', () => undefined);
        stream.on('close', (code: number | null) => {
          const m = /^\\?([0-9a-f]{64}) /.exec(out);
          finish(code === 0 && m ? m[1]! : null);
        });
        stream.on('error', () => finish(null));
        stream.end();
      });
    } catch {
      finish(null);
    }
  });
}

/** The SHA-256 of a remote file by reading it back over SFTP. */
export async function readBackSha256(sftp: SFTPWrapper, path: string): Promise<string> {
  const hash = createHash('sha256');
  const stream = sftp.createReadStream(path, { highWaterMark: 256 * 1024 });
  for await (const chunk of stream as AsyncIterable<Buffer>) hash.update(chunk);
  return hash.digest('hex');
}
