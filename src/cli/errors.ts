/** Exit codes scripts can rely on (documented in the README). */
export const EXIT = {
  ok: 0,
  failure: 1,
  usage: 2,
  unreachable: 3,
  auth: 4,
  notFound: 5,
  conflict: 6,
  invalid: 7,
  auditBroken: 8,
} as const;

export class CliError extends Error {
  override readonly name = 'CliError';
  constructor(
    message: string,
    readonly exitCode: number = EXIT.failure,
    readonly details: string[] = [],
    /** The server's problem document (RFC 9457) when the server refused: printed as is with --json. */
    readonly problem?: unknown,
  ) {
    super(message);
  }
}
