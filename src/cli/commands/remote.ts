import type { Command } from 'commander';
import { helpdeskRefProblem } from '../../domain/helpdesk-ref-rule.js';
import { ApiClient, type GlobalOptions } from '../client.js';
import { CliError, EXIT } from '../errors.js';
import { printJson } from '../output.js';

/** Options shared by every command that talks to a server. */
export function globals(cmd: Command): GlobalOptions {
  return cmd.optsWithGlobals<GlobalOptions>();
}

export function client(cmd: Command): ApiClient {
  return ApiClient.from(globals(cmd));
}

/** Prints JSON with --json, the human rendering otherwise. */
export function show(cmd: Command, value: unknown, human: () => string): void {
  if (globals(cmd).json) printJson(value);
  else process.stdout.write(`${human()}\n`);
}

export const list = (v: string): string[] =>
  v
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');

export const int =
  (name: string) =>
  (v: string): number => {
    const n = Number(v);
    if (!Number.isInteger(n)) throw new Error(`${name} must be a whole number`);
    return n;
  };

/** `--ref`: checked with the API's rule for help-desk references before anything is sent; `where` names the source. */
export function helpdeskRef(v: string, where = '--ref'): string {
  const problem = helpdeskRefProblem(v);
  if (problem !== undefined) throw new CliError(`${where} ${JSON.stringify(v)}: ${problem}`, EXIT.usage);
  return v.trim();
}
