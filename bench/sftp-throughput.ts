import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { transferFiles } from '../src/integrations/sftp/index.js';
import { startSshd, sshdMissing, type Sshd } from '../test/support/sshd.js';
import { fmt, printTable } from './common.js';
import { goal, MiB } from './server-process.js';
import { writeRandomFile } from '../test/support/random-file.js';

/** MiB/s of `bytes` moved in `ms`. */
const mibps = (bytes: number, ms: number) => bytes / MiB / (ms / 1000);

/** OpenSSH's own client: `sftp -b` with one `put`, timed from start to exit. */
function openSshPut(sshd: Sshd, local: string, remote: string, batchFile: string): Promise<number> {
  writeFileSync(batchFile, `put ${local} ${remote}\n`);
  const args = [
    '-q',
    '-i',
    sshd.privateKeyFile,
    '-P',
    String(sshd.port),
    '-o',
    `UserKnownHostsFile=${sshd.knownHostsFile}`,
    '-o',
    'StrictHostKeyChecking=yes',
    '-o',
    'BatchMode=yes',
    '-b',
    batchFile,
    `${sshd.username}@127.0.0.1`,
  ];
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const child = spawn('sftp', args, { stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.on('error', reject);
    child.on('exit', (code) =>
      code === 0 ? resolve(performance.now() - t0) : reject(new Error(`sftp exited with ${code}: ${err.trim()}`)),
    );
  });
}

/**
 * transferFiles against OpenSSH's `sftp -b put`, both to the same throwaway
 * sshd on loopback. transferFiles' "upload" time runs from its first byte to
 * the last acknowledged write (what `sftp put` does); its "total" adds the
 * connection, the remote sha256sum and the rename. BENCH_SFTP_MB (default
 * 1024), BENCH_SFTP_RUNS (default 2; the best run of each counts).
 */
export async function benchSftpThroughput(): Promise<void> {
  const missing = sshdMissing();
  if (missing) {
    process.stdout.write(`skipped: ${missing}\n`);
    return;
  }
  const mb = Number(process.env.BENCH_SFTP_MB ?? 1024);
  const runs = Math.max(1, Number(process.env.BENCH_SFTP_RUNS ?? 2));
  if (!(mb > 0)) {
    process.stdout.write('skipped: BENCH_SFTP_MB=0\n');
    return;
  }
  const size = Math.round(mb * MiB);
  const local = mkdtempSync(path.join(os.tmpdir(), 'relman-bench-sftp-'));
  const sshd = await startSshd();
  try {
    const file = await writeRandomFile(path.join(local, 'BENCH.war'), size);
    const target = {
      host: '127.0.0.1',
      port: sshd.port,
      username: sshd.username,
      privateKey: sshd.privateKey,
      directory: sshd.dropDir,
      hostKeyFingerprint: sshd.hostKeyFingerprint,
    };
    const ours = { upload: Infinity, total: Infinity };
    let openssh = Infinity;
    for (let run = 0; run < runs; run++) {
      let started = 0;
      let sent = 0;
      const t0 = performance.now();
      const [r] = await transferFiles(target, [file], {
        retries: 0,
        onLog: (line) => {
          if (line.startsWith('BENCH.war: sending')) started = performance.now();
          else if (line.endsWith('sent; verifying')) sent = performance.now();
        },
      });
      const total = performance.now() - t0;
      if (!r || r.verifiedBy !== 'remote-sha256sum') throw new Error('transferFiles did not verify with sha256sum');
      ours.upload = Math.min(ours.upload, sent - started);
      ours.total = Math.min(ours.total, total);
      rmSync(path.join(sshd.dropDir, 'BENCH.war'));

      const remote = path.join(sshd.dropDir, 'BENCH-openssh.war');
      openssh = Math.min(openssh, await openSshPut(sshd, file.localPath, remote, path.join(local, 'batch')));
      if (statSync(remote).size !== size) throw new Error('sftp -b put left a file of the wrong size');
      rmSync(remote);
    }
    const ratio = mibps(size, ours.upload) / mibps(size, openssh);
    printTable(
      ['client', 'MiB', 'ms', 'MiB/s'],
      [
        ['transferFiles, upload', fmt(mb), fmt(ours.upload), fmt(mibps(size, ours.upload), 1)],
        ['transferFiles, with connect + sha256sum + rename', fmt(mb), fmt(ours.total), fmt(mibps(size, ours.total), 1)],
        ['OpenSSH sftp -b put (incl. connect)', fmt(mb), fmt(openssh), fmt(mibps(size, openssh), 1)],
      ],
    );
    process.stdout.write(
      `upload ratio transferFiles / sftp: ${ratio.toFixed(2)}× (goal ≥ 0.5×: ${goal(ratio >= 0.5)}); ` +
        `with verification: ${(mibps(size, ours.total) / mibps(size, openssh)).toFixed(2)}×; best of ${runs}\n`,
    );
  } finally {
    await sshd.stop();
    rmSync(local, { recursive: true, force: true });
  }
}
