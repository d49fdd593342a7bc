/**
 * Release naming (P3): a pattern such as `zFvvnnn` turns a sequence number and a
 * few per-application parameters into a fixed-width name such as `CFIS001`.
 *
 * Every name produced by one compiled pattern has the same length and the
 * sequence is zero-padded, so names sort in the same order as their numbers and
 * `parse` can recover the number without ambiguity.
 */
import { SequenceExhaustedError } from './errors.js';

export { SequenceExhaustedError };

export type NamingToken = { parameter: string; description?: string } | { sequence: true; description?: string };

export type NamingSpec = {
  pattern: string;
  tokens: Record<string, NamingToken>;
  defaults?: Record<string, string>;
};

export type NamingProblem = { path: string; message: string };

export type CompiledNaming = {
  format(sequence: number): string;
  readonly maxSequence: number;
  parse(name: string): number | null;
  /** The fixed characters in front of the sequence field, e.g. `CFIS` for `zFvvnnn`. */
  readonly prefixExample: string;
};

export const MAX_PATTERN_LENGTH = 32;
/** Wider sequences would exceed Number.MAX_SAFE_INTEGER and lose exactness. */
export const MAX_SEQUENCE_WIDTH = 15;

export class NamingError extends Error {
  readonly problems: readonly NamingProblem[];
  constructor(problems: readonly NamingProblem[]) {
    super(`invalid naming pattern: ${problems.map((p) => `${p.path}: ${p.message}`).join('; ')}`);
    this.name = 'NamingError';
    this.problems = problems;
  }
}

const LITERAL_CHAR = /^[A-Za-z0-9_-]$/;
const TOKEN_CHAR = /^[\x21-\x7e]$/;
const PARAMETER_NAME = /^[a-z][a-zA-Z0-9]*$/;
const PARAMETER_VALUE = /^[A-Z0-9]+$/;
const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

type Field =
  | { kind: 'literal'; text: string }
  | { kind: 'parameter'; token: string; parameter: string; width: number }
  | { kind: 'sequence'; token: string; width: number };

function member(base: string, key: string): string {
  return IDENTIFIER.test(key) ? `${base}.${key}` : `${base}[${JSON.stringify(key)}]`;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function ownEntries(value: unknown): [string, unknown][] {
  return isRecord(value) ? Object.entries(value) : [];
}

function tokenOf(spec: NamingSpec, char: string): NamingToken | undefined {
  return isRecord(spec.tokens) && Object.hasOwn(spec.tokens, char) ? spec.tokens[char] : undefined;
}

function isSequenceToken(token: unknown): boolean {
  return isRecord(token) && token['sequence'] === true;
}

function parameterOf(token: unknown): string | undefined {
  return isRecord(token) && typeof token['parameter'] === 'string' ? token['parameter'] : undefined;
}

/** Splits the pattern into runs; problems found on the way are appended to `problems`. */
function analyse(spec: NamingSpec, problems: NamingProblem[]): Field[] {
  const fields: Field[] = [];
  const patternPath = 'naming.pattern';
  const tokensPath = 'naming.tokens';

  for (const [char, token] of ownEntries(spec.tokens)) {
    const path = member(tokensPath, char);
    if (!TOKEN_CHAR.test(char)) {
      problems.push({ path, message: 'a token is a single printable, non-space ASCII character' });
    }
    const parameter = parameterOf(token);
    if (isSequenceToken(token) === (parameter !== undefined)) {
      problems.push({ path, message: 'a token has either `parameter: <name>` or `sequence: true`' });
    } else if (parameter !== undefined && !PARAMETER_NAME.test(parameter)) {
      problems.push({
        path: `${path}.parameter`,
        message: `parameter name "${parameter}" must start with a lower-case letter and contain only letters and digits`,
      });
    }
  }

  const pattern = typeof spec.pattern === 'string' ? spec.pattern : '';
  const chars = Array.from(pattern);
  if (typeof spec.pattern === 'string' && (chars.length < 1 || chars.length > MAX_PATTERN_LENGTH)) {
    problems.push({
      path: patternPath,
      message: `the pattern must have 1 to ${MAX_PATTERN_LENGTH} characters (has ${chars.length})`,
    });
  }

  const runStarts = new Map<string, number>();
  let i = 0;
  while (i < chars.length) {
    const char = chars[i] as string;
    let end = i + 1;
    while (end < chars.length && chars[end] === char) end += 1;
    const width = end - i;
    const token = tokenOf(spec, char);
    if (token === undefined) {
      if (!LITERAL_CHAR.test(char)) {
        problems.push({
          path: patternPath,
          message: `character ${JSON.stringify(char)} at position ${i + 1} is neither a token nor an allowed literal (A-Z, a-z, 0-9, _ and -)`,
        });
      }
      const last = fields[fields.length - 1];
      if (last?.kind === 'literal') last.text += char.repeat(width);
      else fields.push({ kind: 'literal', text: char.repeat(width) });
    } else {
      const firstRun = runStarts.get(char);
      if (firstRun !== undefined) {
        problems.push({
          path: patternPath,
          message: `token ${JSON.stringify(char)} appears in two separate runs (positions ${firstRun + 1} and ${i + 1}); a field must be one contiguous run`,
        });
      } else {
        runStarts.set(char, i);
      }
      const parameter = parameterOf(token);
      if (isSequenceToken(token)) fields.push({ kind: 'sequence', token: char, width });
      else if (parameter !== undefined) fields.push({ kind: 'parameter', token: char, parameter, width });
    }
    i = end;
  }

  const sequences = fields.filter((f) => f.kind === 'sequence');
  if (sequences.length === 0) {
    problems.push({
      path: patternPath,
      message: 'the pattern needs one sequence field (a run of the token declared with `sequence: true`)',
    });
  } else if (sequences.length > 1) {
    problems.push({ path: patternPath, message: 'the pattern must have exactly one sequence field' });
  }
  for (const field of sequences) {
    if (field.width > MAX_SEQUENCE_WIDTH) {
      problems.push({
        path: patternPath,
        message: `the sequence field is ${field.width} digits wide; at most ${MAX_SEQUENCE_WIDTH} are supported`,
      });
    }
  }

  const parameterTokens = new Map<string, string>();
  for (const [char, token] of ownEntries(spec.tokens)) {
    if (!TOKEN_CHAR.test(char)) continue;
    if (!runStarts.has(char)) {
      problems.push({
        path: member(tokensPath, char),
        message: `token ${JSON.stringify(char)} is declared but not used in the pattern`,
      });
      continue;
    }
    const parameter = parameterOf(token);
    if (parameter === undefined || isSequenceToken(token)) continue;
    const other = parameterTokens.get(parameter);
    if (other !== undefined) {
      problems.push({
        path: member(tokensPath, char),
        message: `parameter "${parameter}" is already used by token ${JSON.stringify(other)}`,
      });
    } else {
      parameterTokens.set(parameter, char);
    }
  }
  return fields;
}

function parameterValues(spec: NamingSpec, params: Record<string, string> | undefined): { values: Record<string, unknown>; base: string } {
  if (params !== undefined) return { values: isRecord(params) ? params : {}, base: 'params' };
  return { values: isRecord(spec.defaults) ? spec.defaults : {}, base: 'naming.defaults' };
}

function checkValues(fields: readonly Field[], values: Record<string, unknown>, base: string, problems: NamingProblem[]): void {
  const widths = new Map<string, number>();
  for (const field of fields) {
    if (field.kind === 'parameter' && !widths.has(field.parameter)) {
      widths.set(field.parameter, field.width);
    }
  }
  for (const [name, width] of widths) {
    const path = member(base, name);
    const value = Object.hasOwn(values, name) ? values[name] : undefined;
    if (value === undefined) {
      problems.push({ path, message: `missing value for parameter "${name}" (${width} characters)` });
    } else if (typeof value !== 'string' || value.length !== width || !PARAMETER_VALUE.test(value)) {
      problems.push({
        path,
        message: `parameter "${name}" must be exactly ${width} characters of A-Z and 0-9 (got ${JSON.stringify(value)})`,
      });
    }
  }
  for (const name of Object.keys(values)) {
    if (!widths.has(name)) {
      problems.push({
        path: member(base, name),
        message: `"${name}" is not a parameter of the pattern`,
      });
    }
  }
}

/**
 * Reports everything wrong with a naming spec and the parameter values it would
 * be used with. Never throws, even for values that do not match the declared
 * types, because it also guards data that arrives from outside.
 */
export function checkNaming(spec: NamingSpec, params?: Record<string, string>): NamingProblem[] {
  const problems: NamingProblem[] = [];
  if (!isRecord(spec)) return [{ path: 'naming', message: 'the naming spec must be an object' }];
  if (typeof spec.pattern !== 'string') {
    problems.push({ path: 'naming.pattern', message: 'the pattern must be a string' });
  }
  if (!isRecord(spec.tokens)) {
    problems.push({ path: 'naming.tokens', message: 'tokens must be an object' });
  }
  const fields = analyse(spec, problems);
  const { values, base } = parameterValues(spec, params);
  checkValues(fields, values, base, problems);
  return problems;
}

export function namingParameters(spec: NamingSpec): string[] {
  const names: string[] = [];
  const problems: NamingProblem[] = [];
  for (const field of analyse(spec, problems)) {
    if (field.kind === 'parameter' && !names.includes(field.parameter)) names.push(field.parameter);
  }
  return names;
}

export function compileNaming(spec: NamingSpec, params?: Record<string, string>): CompiledNaming {
  const problems = checkNaming(spec, params);
  if (problems.length > 0) throw new NamingError(problems);
  const fields = analyse(spec, []);
  const values = parameterValues(spec, params).values as Record<string, string>;

  // Pre-rendering everything except the sequence keeps format and parse trivial.
  let prefix = '';
  let suffix = '';
  let width = 0;
  for (const field of fields) {
    const text = field.kind === 'literal' ? field.text : field.kind === 'parameter' ? (values[field.parameter] as string) : '';
    if (field.kind === 'sequence') width = field.width;
    else if (width === 0) prefix += text;
    else suffix += text;
  }
  const maxSequence = 10 ** width - 1;
  const length = prefix.length + width + suffix.length;
  const digits = new RegExp(`^[0-9]{${width}}$`);

  return {
    maxSequence,
    prefixExample: prefix,
    format(sequence: number): string {
      if (!Number.isInteger(sequence) || sequence < 1) {
        throw new RangeError(`a release sequence number is an integer from 1 (got ${sequence})`);
      }
      if (sequence > maxSequence) throw new SequenceExhaustedError(sequence, maxSequence);
      return prefix + String(sequence).padStart(width, '0') + suffix;
    },
    parse(name: string): number | null {
      if (typeof name !== 'string' || name.length !== length) return null;
      if (!name.startsWith(prefix) || !name.endsWith(suffix)) return null;
      const middle = name.slice(prefix.length, prefix.length + width);
      if (!digits.test(middle)) return null;
      const sequence = Number(middle);
      return sequence >= 1 ? sequence : null;
    },
  };
}
