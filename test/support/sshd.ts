/**
 * A throwaway OpenSSH server for SFTP tests and benchmarks: its own host key,
 * client key, config and drop directory in a temp dir, listening on a free
 * loopback port. Needs /usr/sbin/sshd (Debian: openssh-server) and ssh-keygen.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

export const SSHD = process.env.RELMAN_SSHD ?? '/usr/sbin/sshd';

/** Why SFTP tests cannot run here, or null when they can. */
export function sshdMissing(): string | null {
  if (!existsSync(SSHD)) return `no OpenSSH server at ${SSHD} (apt-get install -y openssh-server, or set RELMAN_SSHD)`;
  if (spawnSync('ssh-keygen', ['-?'], { stdio: 'ignore' }).error) return 'no ssh-keygen on the PATH';
  return null;
}

export type SshdOptions = {
  /** Every login gets the SFTP server whatever command it asks for (ForceCommand internal-sftp): no shell, no exec. */
  sftpOnly?: boolean;
  /** The SFTP server refuses every write (internal-sftp -R). */
  readOnly?: boolean;
};

export type Sshd = {
  port: number;
  /** The host key's fingerprint as `ssh-keygen -lf` prints it ('SHA256:…'). */
  hostKeyFingerprint: string;
  /** Path of the host's public key, for a known_hosts line. */
  hostPublicKey: string;
  privateKey: string;
  privateKeyFile: string;
  username: string;
  /** An empty directory the account may write to (absolute path). */
  dropDir: string;
  /** A known_hosts file naming this server's key for [127.0.0.1]:port. */
  knownHostsFile: string;
  dir: string;
  /** Kills the per-connection sshd processes (the connections drop); the listener stays up. */
  killSessions(): void;
  stop(): Promise<void>;
};

function keygen(args: string[]): string {
  const r = spawnSync('ssh-keygen', args, { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`ssh-keygen ${args.join(' ')} failed: ${r.stderr || r.error?.message}`);
  return r.stdout;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

function answers(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect(port, '127.0.0.1');
    s.once('data', (d) => {
      s.destroy();
      resolve(d.toString('latin1').startsWith('SSH-'));
    });
    s.once('error', () => resolve(false));
    s.setTimeout(2000, () => {
      s.destroy();
      resolve(false);
    });
  });
}

export async function startSshd(opts: SshdOptions = {}): Promise<Sshd> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'relman-sshd-'));
  const hostKey = path.join(dir, 'host_ed25519');
  const clientKey = path.join(dir, 'client_ed25519');
  keygen(['-q', '-t', 'ed25519', '-N', '', '-C', 'relman-test-host', '-f', hostKey]);
  keygen(['-q', '-t', 'ed25519', '-N', '', '-C', 'relman-test-client', '-f', clientKey]);
  const hostKeyFingerprint = keygen(['-l', '-E', 'sha256', '-f', `${hostKey}.pub`]).split(/\s+/)[1]!;
  const authorizedKeys = path.join(dir, 'authorized_keys');
  writeFileSync(authorizedKeys, readFileSync(`${clientKey}.pub`), { mode: 0o600 });
  const dropDir = path.join(dir, 'drop');
  mkdirSync(dropDir);
  const port = await freePort();
  const knownHostsFile = path.join(dir, 'known_hosts');
  writeFileSync(knownHostsFile, `[127.0.0.1]:${port} ${readFileSync(`${hostKey}.pub`, 'utf8').split(' ').slice(0, 2).join(' ')}\n`);
  const pidFile = path.join(dir, 'sshd.pid');
  const config = path.join(dir, 'sshd_config');
  writeFileSync(
    config,
    [
      `Port ${port}`,
      'ListenAddress 127.0.0.1',
      `HostKey ${hostKey}`,
      `PidFile ${pidFile}`,
      `AuthorizedKeysFile ${authorizedKeys}`,
      'UsePAM no',
      'PasswordAuthentication no',
      'KbdInteractiveAuthentication no',
      'PubkeyAuthentication yes',
      'StrictModes no',
      'PermitRootLogin yes',
      'MaxStartups 100',
      `Subsystem sftp internal-sftp${opts.readOnly ? ' -R' : ''}`,
      ...(opts.sftpOnly ? ['ForceCommand internal-sftp'] : []),
      '',
    ].join('\n'),
  );
  mkdirSync('/run/sshd', { recursive: true });

  let stderr = '';
  const child: ChildProcess = spawn(SSHD, ['-D', '-e', '-f', config], { stdio: ['ignore', 'ignore', 'pipe'] });
  child.stderr!.on('data', (d: Buffer) => {
    if (stderr.length < 20_000) stderr += d.toString('utf8');
  });
  let exited = false;
  child.once('exit', () => (exited = true));
  const deadline = Date.now() + 15_000;
  while (!(await answers(port))) {
    if (exited || Date.now() > deadline) {
      child.kill('SIGKILL');
      rmSync(dir, { recursive: true, force: true });
      throw new Error(`sshd did not start on port ${port}: ${stderr.trim() || '(no output)'}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }

  const childrenOf = (pid: number): number[] => {
    const r = spawnSync('pgrep', ['-P', String(pid)], { encoding: 'utf8' });
    return r.stdout
      .split('\n')
      .map((s) => Number(s.trim()))
      .filter((n) => Number.isInteger(n) && n > 0);
  };

  const killSessions = () => {
    // Synchronous on purpose: the caller's event loop sends nothing more meanwhile.
    for (const pid of childrenOf(child.pid!)) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
  };

  return {
    port,
    hostKeyFingerprint,
    hostPublicKey: `${hostKey}.pub`,
    privateKey: readFileSync(clientKey, 'utf8'),
    privateKeyFile: clientKey,
    username: os.userInfo().username,
    dropDir,
    knownHostsFile,
    dir,
    killSessions,
    async stop() {
      killSessions();
      if (!exited) {
        const gone = new Promise((r) => child.once('exit', r));
        child.kill('SIGTERM');
        await Promise.race([gone, new Promise((r) => setTimeout(r, 5000))]);
        if (!exited) child.kill('SIGKILL');
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
