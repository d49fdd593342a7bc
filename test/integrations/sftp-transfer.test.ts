import { createHash, randomBytes } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import yazl from 'yazl';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fingerprintOf, SftpTransferError, transferFiles, type SftpTarget, type TransferFile } from '../../src/integrations/sftp/index.js';
import { sshdMissing, startSshd, type Sshd } from '../support/sshd.js';
import { writeRandomFile } from '../support/random-file.js';

const MiB = 1024 * 1024;
const missing = sshdMissing();
if (missing && process.env.RELMAN_REQUIRE_SSHD === '1') throw new Error(`SFTP tests cannot run: ${missing}`);
const describeSshd = missing ? describe.skip : describe;
const skipNote = missing ? ` — skipped: ${missing}` : '';

function sha256(buf: Buffer): string {
  return createHash('sha256').update(buf).digest('hex');
}

async function writeZip(file: string): Promise<TransferFile> {
  const zip = new yazl.ZipFile();
  zip.addBuffer(Buffer.from('<deployment name="CFIS001"/>\n'), 'META-INF/deployment.xml');
  zip.addBuffer(randomBytes(50_000), 'lib/payload.bin');
  zip.end();
  const chunks: Buffer[] = [];
  for await (const c of zip.outputStream as AsyncIterable<Buffer>) chunks.push(c);
  const buf = Buffer.concat(chunks);
  writeFileSync(file, buf);
  return { localPath: file, remoteName: path.basename(file), size: buf.length, sha256: sha256(buf) };
}

function targetOf(sshd: Sshd, directory = sshd.dropDir): SftpTarget {
  return {
    host: '127.0.0.1',
    port: sshd.port,
    username: sshd.username,
    privateKey: sshd.privateKey,
    directory,
    hostKeyFingerprint: sshd.hostKeyFingerprint,
  };
}

async function failure(p: Promise<unknown>): Promise<SftpTransferError> {
  const err = await p.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(SftpTransferError);
  return err as SftpTransferError;
}

const fileSha256 = (file: string) => sha256(readFileSync(file));

describe('fingerprintOf', () => {
  it('prints the OpenSSH form: SHA256 and unpadded base64', () => {
    const fp = fingerprintOf(Buffer.from('key blob'));
    expect(fp).toMatch(/^SHA256:[A-Za-z0-9+/]{43}$/);
  });
});

describeSshd(`SFTP transfer to a drop location (OpenSSH sshd on loopback)${skipNote}`, () => {
  let sshd: Sshd;
  let local: string;
  let zip: TransferFile;
  let war: TransferFile;
  const lines: string[] = [];
  const onLog = (line: string) => lines.push(line);

  beforeAll(async () => {
    sshd = await startSshd();
    local = mkdtempSync(path.join(os.tmpdir(), 'relman-sftp-local-'));
    zip = await writeZip(path.join(local, 'CFIS001.zip'));
    war = await writeRandomFile(path.join(local, 'CFIS001.war'), 200 * MiB);
  });
  afterAll(async () => {
    await sshd?.stop();
    if (local) rmSync(local, { recursive: true, force: true });
  });

  const dropped = (dir: string) => readdirSync(dir).sort();

  it('sends a ZIP and a 200 MiB WAR, verifies both on the server and leaves no .part', async () => {
    const dir = path.join(sshd.dropDir, 'both');
    mkdirSync(dir);
    const results = await transferFiles(targetOf(sshd, dir), [zip, war], { onLog });
    expect(results.map((r) => [r.remoteName, r.verifiedBy, r.attempts])).toEqual([
      ['CFIS001.zip', 'remote-sha256sum', 1],
      ['CFIS001.war', 'remote-sha256sum', 1],
    ]);
    expect(dropped(dir)).toEqual(['CFIS001.war', 'CFIS001.zip']);
    expect(fileSha256(path.join(dir, 'CFIS001.zip'))).toBe(zip.sha256);
    expect(fileSha256(path.join(dir, 'CFIS001.war'))).toBe(war.sha256);
    expect(results[1]!.remotePath).toBe(path.join(dir, 'CFIS001.war'));
    expect(lines.some((l) => /^CFIS001\.war: \d+\.\d of 200\.0 MiB$/.test(l))).toBe(true);
    // The log names no secret.
    const keyBody = sshd.privateKey.split('\n')[1]!;
    expect(lines.join('\n')).not.toContain(keyBody);
  });

  it('replaces an older file of the same name only with a verified one', async () => {
    const dir = path.join(sshd.dropDir, 'replace');
    mkdirSync(dir);
    writeFileSync(path.join(dir, 'CFIS001.zip'), 'an older build');
    const [r] = await transferFiles(targetOf(sshd, dir), [zip], {});
    expect(r!.sha256).toBe(zip.sha256);
    expect(fileSha256(path.join(dir, 'CFIS001.zip'))).toBe(zip.sha256);
    expect(dropped(dir)).toEqual(['CFIS001.zip']);
  });

  it('refuses a server whose host key does not match, naming both fingerprints, and writes nothing', async () => {
    const dir = path.join(sshd.dropDir, 'wrong-key');
    mkdirSync(dir);
    const other = fingerprintOf(randomBytes(51));
    const err = await failure(transferFiles({ ...targetOf(sshd, dir), hostKeyFingerprint: other }, [zip], {}));
    expect(err.code).toBe('host-key-mismatch');
    expect(err.message).toContain(other);
    expect(err.message).toContain(sshd.hostKeyFingerprint);
    expect(dropped(dir)).toEqual([]);
  });

  it('reports a dropped connection as connection without retries, leaves no final file, and a second call succeeds', async () => {
    const dir = path.join(sshd.dropDir, 'cut');
    mkdirSync(dir);
    let killed = false;
    const cutAt20 = (line: string) => {
      const m = /^CFIS001\.war: (\d+\.\d) of (\d+\.\d) MiB$/.exec(line);
      if (!killed && m && Number(m[1]) / Number(m[2]) >= 0.2) {
        killed = true;
        sshd.killSessions();
      }
    };
    const err = await failure(transferFiles(targetOf(sshd, dir), [war], { retries: 0, onLog: cutAt20 }));
    expect(killed).toBe(true);
    expect(err.code).toBe('connection');
    expect(err.file).toBe('CFIS001.war');
    expect(existsSync(path.join(dir, 'CFIS001.war'))).toBe(false);

    const [r] = await transferFiles(targetOf(sshd, dir), [war], {});
    expect(r!.attempts).toBe(1);
    expect(dropped(dir)).toEqual(['CFIS001.war']);
    expect(fileSha256(path.join(dir, 'CFIS001.war'))).toBe(war.sha256);
  });

  it('retries a dropped connection by itself, restarting the file from a clean .part', async () => {
    const dir = path.join(sshd.dropDir, 'retry');
    mkdirSync(dir);
    let killed = false;
    const log: string[] = [];
    const results = await transferFiles(targetOf(sshd, dir), [war], {
      retries: 2,
      backoffMs: 10,
      onLog: (line) => {
        log.push(line);
        if (!killed && /^CFIS001\.war: \d+\.\d of/.test(line)) {
          killed = true;
          sshd.killSessions();
        }
      },
    });
    expect(killed).toBe(true);
    expect(results[0]!.attempts).toBe(2);
    expect(log.some((l) => l.includes('removed a stale'))).toBe(true);
    expect(dropped(dir)).toEqual(['CFIS001.war']);
    expect(fileSha256(path.join(dir, 'CFIS001.war'))).toBe(war.sha256);
  });

  it('stops with aborted when the signal fires mid-transfer, leaving no final file', async () => {
    const dir = path.join(sshd.dropDir, 'abort');
    mkdirSync(dir);
    const ac = new AbortController();
    const err = await failure(
      transferFiles(targetOf(sshd, dir), [war], {
        signal: ac.signal,
        onLog: (line) => {
          if (/^CFIS001\.war: \d+\.\d of/.test(line)) ac.abort();
        },
      }),
    );
    expect(ac.signal.aborted).toBe(true);
    expect(err.code).toBe('aborted');
    expect(existsSync(path.join(dir, 'CFIS001.war'))).toBe(false);
  });

  it('reports a drop directory that does not exist as not-found, without retrying', async () => {
    const lines: string[] = [];
    const err = await failure(
      transferFiles(targetOf(sshd, path.join(sshd.dropDir, 'no-such-dir')), [zip], { onLog: (l) => lines.push(l) }),
    );
    expect(err.code).toBe('not-found');
    expect(err.message).toMatch(/no such file or directory on the server/);
    expect(lines.some((l) => l.includes('trying again'))).toBe(false);
  });

  it('reports a full file system as no-space with a readable message (a 1 MiB tmpfs)', async (ctx) => {
    const dir = path.join(sshd.dropDir, 'full');
    mkdirSync(dir);
    const mounted = spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=1m', 'tmpfs', dir], { encoding: 'utf8' });
    if (mounted.status !== 0) {
      ctx.skip(`cannot mount a tmpfs here (${(mounted.stderr || '').trim() || 'mount failed'})`);
      return;
    }
    try {
      const big = await writeRandomFile(path.join(local, 'TOOBIG.war'), 3 * MiB);
      const lines: string[] = [];
      const err = await failure(transferFiles(targetOf(sshd, dir), [big], { onLog: (l) => lines.push(l), backoffMs: 10 }));
      expect(err.code).toBe('no-space');
      expect(err.message).toMatch(/no space left on the server for TOOBIG\.war: 3\.0 MiB needed/);
      expect(lines.some((l) => l.includes('trying again'))).toBe(false);
      expect(dropped(dir)).toEqual([]);
    } finally {
      spawnSync('umount', [dir]);
    }
  });

  it('refuses a remote name with a directory part before connecting', async () => {
    let connected = false;
    const err = await failure(
      transferFiles({ ...targetOf(sshd), port: 1 }, [{ ...zip, remoteName: '../CFIS001.zip' }], { onLog: () => (connected = true) }),
    );
    expect(err.code).toBe('invalid-name');
    expect(err.message).toMatch(/plain file name/);
    expect(connected).toBe(false);
    for (const bad of ['a/b.zip', '..', 'a\u0000b', '']) {
      expect((await failure(transferFiles(targetOf(sshd), [{ ...zip, remoteName: bad }], {}))).code).toBe('invalid-name');
    }
  });
});

describeSshd(`SFTP transfer to an SFTP-only account (ForceCommand internal-sftp)${skipNote}`, () => {
  let sshd: Sshd;
  let local: string;
  beforeAll(async () => {
    sshd = await startSshd({ sftpOnly: true });
    local = mkdtempSync(path.join(os.tmpdir(), 'relman-sftp-local-'));
  });
  afterAll(async () => {
    await sshd?.stop();
    if (local) rmSync(local, { recursive: true, force: true });
  });

  it('verifies by reading the file back when no command may run', async () => {
    const file = await writeRandomFile(path.join(local, 'CFIS002.war'), 3 * MiB + 17);
    const [r] = await transferFiles(targetOf(sshd), [file], {});
    expect(r!.verifiedBy).toBe('read-back');
    expect(readdirSync(sshd.dropDir)).toEqual(['CFIS002.war']);
    expect(fileSha256(path.join(sshd.dropDir, 'CFIS002.war'))).toBe(file.sha256);
  });
});

describeSshd(`SFTP transfer to a server that refuses writes (internal-sftp -R; root ignores file modes)${skipNote}`, () => {
  let sshd: Sshd;
  let local: string;
  beforeAll(async () => {
    sshd = await startSshd({ readOnly: true });
    local = mkdtempSync(path.join(os.tmpdir(), 'relman-sftp-local-'));
  });
  afterAll(async () => {
    await sshd?.stop();
    if (local) rmSync(local, { recursive: true, force: true });
  });

  it('reports permission denied with a readable message and does not retry', async () => {
    const file = await writeRandomFile(path.join(local, 'CFIS003.zip'), 1000);
    const lines: string[] = [];
    const err = await failure(transferFiles(targetOf(sshd), [file], { onLog: (l) => lines.push(l), backoffMs: 10 }));
    expect(err.code).toBe('permission');
    expect(err.message).toMatch(/permission denied by the server \(.*CFIS003\.zip\.part\)/);
    expect(lines.some((l) => l.includes('trying again'))).toBe(false);
    expect(readdirSync(sshd.dropDir)).toEqual([]);
  });
});
