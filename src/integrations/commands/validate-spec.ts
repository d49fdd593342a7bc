import path from 'node:path';
import { MAX_TIMEOUT_MS, type CommandSpec, type CommandSpecProblem } from './command-types.js';

export const ENV_NAME = /^[A-Z_][A-Z0-9_]*$/;

/** Thrown by `runCommand` for a spec `validateCommandSpec` refuses. */
export class CommandSpecError extends Error {
  readonly problems: readonly CommandSpecProblem[];
  constructor(problems: readonly CommandSpecProblem[]) {
    super(`invalid command: ${problems.map((p) => `${p.path}: ${p.message}`).join('; ')}`);
    this.name = 'CommandSpecError';
    this.problems = problems;
  }
}

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/** Every problem of a would-be `CommandSpec`; an empty list means it is one. */
export function validateCommandSpec(spec: unknown): CommandSpecProblem[] {
  const problems: CommandSpecProblem[] = [];
  if (!isRecord(spec)) return [{ path: '', message: 'a command is an object with argv and timeoutMs' }];

  const { argv, cwd, env, timeoutMs } = spec;
  if (!Array.isArray(argv)) {
    problems.push({
      path: 'argv',
      message: 'argv is a list of the program and its arguments, not a command line (there is no shell)',
    });
  } else if (argv.length === 0) {
    problems.push({ path: 'argv', message: 'argv names at least the program to run' });
  } else {
    argv.forEach((arg: unknown, i) => {
      if (typeof arg !== 'string') problems.push({ path: `argv[${i}]`, message: 'each argument is a string' });
      else if (arg.includes('\0')) problems.push({ path: `argv[${i}]`, message: 'an argument cannot contain a NUL byte' });
      else if (i === 0 && arg === '') problems.push({ path: 'argv[0]', message: 'the program name cannot be empty' });
    });
  }

  if (cwd !== undefined) {
    if (typeof cwd !== 'string' || cwd.includes('\0')) {
      problems.push({ path: 'cwd', message: 'the working directory is a path without NUL bytes' });
    } else if (!path.isAbsolute(cwd)) {
      problems.push({ path: 'cwd', message: 'the working directory must be an absolute path' });
    }
  }

  if (env !== undefined) {
    if (!isRecord(env)) {
      problems.push({ path: 'env', message: 'env maps variable names to string values' });
    } else {
      for (const [name, value] of Object.entries(env)) {
        if (!ENV_NAME.test(name)) {
          problems.push({
            path: `env.${name}`,
            message: 'a variable name is upper-case letters, digits and underscores, not starting with a digit',
          });
        }
        if (typeof value !== 'string') problems.push({ path: `env.${name}`, message: 'a value is a string' });
        else if (value.includes('\0')) problems.push({ path: `env.${name}`, message: 'a value cannot contain a NUL byte' });
      }
    }
  }

  if (typeof timeoutMs !== 'number' || !Number.isInteger(timeoutMs) || timeoutMs < 1 || timeoutMs > MAX_TIMEOUT_MS) {
    problems.push({
      path: 'timeoutMs',
      message: `the timeout is a whole number of milliseconds from 1 to ${MAX_TIMEOUT_MS} (24 hours)`,
    });
  }
  return problems;
}

/** `spec` as a `CommandSpec`, or a `CommandSpecError` listing its problems. */
export function assertCommandSpec(spec: unknown): asserts spec is CommandSpec {
  const problems = validateCommandSpec(spec);
  if (problems.length > 0) throw new CommandSpecError(problems);
}
