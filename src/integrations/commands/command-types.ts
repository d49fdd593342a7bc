/** One command a deployment step runs on the relman host: a program and its arguments, never a shell line. */
export type CommandSpec = {
  /** The program (`argv[0]`, looked up on the PATH of the command's environment) and its arguments, each passed as is. */
  argv: string[];
  /** Absolute working directory; relman's own when absent. */
  cwd?: string;
  /** Variables added to the minimal base environment (see `commandEnvironment`). */
  env?: Record<string, string>;
  /** After this long the command's whole process group is stopped. */
  timeoutMs: number;
};

export type CommandResult = {
  /** The exit code, or null when the command was ended by a signal or could not be started. */
  exitCode: number | null;
  /** The signal that ended the command (`SIGTERM`, `SIGKILL`, …), or null. */
  signal: string | null;
  /** The command ran into its `timeoutMs` and was stopped. */
  timedOut: boolean;
  /** The caller's abort signal fired and the command was stopped (or never started). */
  aborted: boolean;
  durationMs: number;
  /** The last lines (at most `LAST_LINES`) of stdout and stderr together, in the order they arrived. */
  lastLines: string[];
};

export type OutputStream = 'stdout' | 'stderr';

export type RunCommandOptions = {
  /** Each complete output line, as it arrives. Exceptions thrown here are ignored. */
  onLine?: (stream: OutputStream, line: string) => void;
  /** Stops the command as a timeout does. */
  signal?: AbortSignal;
  /** How long a stopped command has between SIGTERM and SIGKILL; 5000 ms when absent. */
  killGraceMs?: number;
};

export type CommandSpecProblem = { path: string; message: string };

/** How many lines of output a result keeps. */
export const LAST_LINES = 20;
/** Output lines longer than this many bytes are cut. */
export const MAX_LINE_BYTES = 8 * 1024;
/** Appended to a line cut at `MAX_LINE_BYTES`; the rest of that line is dropped. */
export const CUT_MARKER = ' … [line cut at 8 KiB]';
export const DEFAULT_KILL_GRACE_MS = 5000;
export const MAX_TIMEOUT_MS = 86_400_000;
