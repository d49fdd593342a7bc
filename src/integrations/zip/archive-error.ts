export type ArchiveErrorReason = 'not-zip' | 'truncated' | 'unsafe-path' | 'bomb' | 'too-many-entries' | 'encrypted' | 'empty';

/**
 * Every way an uploaded web package can be unusable. The message is meant to be
 * shown to whoever uploaded the package, so it says what is wrong in release
 * terms and names the offending entry when there is one.
 */
export class ArchiveError extends Error {
  override readonly name = 'ArchiveError';
  constructor(
    readonly reason: ArchiveErrorReason,
    message: string,
    /** The entry name the problem is about, when the problem is about one entry. */
    readonly entry?: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

const UNITS = ['bytes', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB', 'EiB'] as const;

/** "10.0 MiB (10485760 bytes)": the rounded figure for people, the exact one for checking. */
export function describeSize(bytes: number): string {
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < UNITS.length - 1) {
    value /= 1024;
    unit++;
  }
  if (unit === 0) return `${bytes} bytes`;
  return `${value.toFixed(1)} ${UNITS[unit]} (${bytes} bytes)`;
}

/** Names go into messages quoted and with control characters made visible, so a NUL or newline cannot hide. */
export function quoteName(name: string): string {
  return JSON.stringify(name);
}
