export {
  CUT_MARKER,
  DEFAULT_KILL_GRACE_MS,
  LAST_LINES,
  MAX_LINE_BYTES,
  MAX_TIMEOUT_MS,
  type CommandResult,
  type CommandSpec,
  type CommandSpecProblem,
  type OutputStream,
  type RunCommandOptions,
} from './command-types.js';
export { commandEnvironment, stepEnvironment, type StepEnvironmentBase } from './environment.js';
export { LineSplitter } from './line-splitter.js';
export { runCommand } from './run-command.js';
export { CommandSpecError, validateCommandSpec } from './validate-spec.js';
