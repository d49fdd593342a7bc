/** Where files go: an SFTP server, the account on it and the drop directory. */
export type SftpTarget = {
  host: string;
  port: number;
  username: string;
  /** PEM/OpenSSH private key text. */
  privateKey?: string;
  password?: string;
  /** Drop directory on the server; files land directly in it. */
  directory: string;
  /** The server's host key as OpenSSH prints it: 'SHA256:' + unpadded base64. */
  hostKeyFingerprint: string;
};

/** One local file to send; its size and SHA-256 (hex) are known beforehand. */
export type TransferFile = { localPath: string; remoteName: string; size: number; sha256: string };

export type TransferResult = {
  remoteName: string;
  remotePath: string;
  size: number;
  sha256: string;
  verifiedBy: 'remote-sha256sum' | 'read-back';
  /** 1 when the first attempt succeeded. */
  attempts: number;
};

export type TransferOptions = {
  onLog?: (line: string) => void;
  /** Further attempts per file after a dropped connection or another transient failure (default 3). */
  retries?: number;
  /** First back-off delay; doubled before each further attempt (default 1000 ms). */
  backoffMs?: number;
  signal?: AbortSignal;
};
