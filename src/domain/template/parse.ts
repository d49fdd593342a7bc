import { unknownPlaceholders } from '../mail-template.js';
import { isScalar, LineCounter, parseDocument, visit, type Document } from 'yaml';
import type { z } from 'zod';
import { lifecycleProblems } from './lifecycle-refs.js';
import { deploymentProblems } from './deployment-refs.js';
import { checkNaming } from '../naming.js';
import { SYSTEM_ROLES } from '../permissions.js';
import { namingSchema, processTemplateSchema, type ProcessTemplate } from './schema.js';

export type TemplateProblem = { path: string; message: string };
export type TemplateParseResult = { ok: true; template: ProcessTemplate } | { ok: false; problems: TemplateProblem[] };

export const MAX_TEMPLATE_BYTES = 1024 * 1024;
/** Real templates barely use aliases; a low limit defuses "billion laughs" documents. */
export const MAX_ALIAS_COUNT = 50;
/** Beyond this a list of problems stops helping anyone and only costs time to build. */
export const MAX_PROBLEMS = 200;

type Segment = string | number;
type Problem = { segments: Segment[]; message: string };
type Obj = Record<string, unknown>;

const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

function formatPath(segments: readonly Segment[]): string {
  let out = '';
  for (const segment of segments) {
    if (typeof segment === 'number') out += `[${segment}]`;
    else if (IDENTIFIER.test(segment)) out += out === '' ? segment : `.${segment}`;
    else out += `[${JSON.stringify(segment)}]`;
  }
  return out;
}

/** Inverse of formatPath, for problems that arrive as path strings (naming). */
function parsePath(path: string): Segment[] {
  const segments: Segment[] = [];
  const re = /([A-Za-z_$][A-Za-z0-9_$]*)|\[(\d+)\]|\[("(?:[^"\\]|\\.)*")\]/gy;
  let match: RegExpExecArray | null;
  while ((match = re.exec(path)) !== null) {
    if (match[1] !== undefined) segments.push(match[1]);
    else if (match[2] !== undefined) segments.push(Number(match[2]));
    else if (match[3] !== undefined) segments.push(JSON.parse(match[3]) as string);
    if (path[re.lastIndex] === '.') re.lastIndex += 1;
    if (re.lastIndex >= path.length) break;
  }
  return segments;
}

function isObj(value: unknown): value is Obj {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

// ---------------------------------------------------------------- zod issues

function issueProblems(issue: z.core.$ZodIssue, base: readonly Segment[]): Problem[] {
  const segments = [...base, ...issue.path.filter((s): s is Segment => typeof s !== 'symbol')];
  if (issue.code === 'unrecognized_keys') {
    return issue.keys.map((key) => ({ segments: [...segments, key], message: 'unknown key' }));
  }
  if (issue.code === 'invalid_union' && issue.errors.length > 0) {
    // The branch that failed least is almost always the one the author meant;
    // its issues say far more than "invalid input".
    const sizes = issue.errors.map((branch) => branch.length);
    const fewest = Math.min(...sizes);
    const closest = issue.errors.filter((branch) => branch.length === fewest);
    if (closest.length === 1 && closest[0] !== undefined) {
      return closest[0].flatMap((inner) => issueProblems(inner, segments));
    }
  }
  return [{ segments, message: issue.message }];
}

function parseSchema(value: unknown): { problems: Problem[]; template: ProcessTemplate | null } {
  const result = processTemplateSchema.safeParse(value, {
    error: (issue) => (issue.code === 'invalid_type' && issue.input === undefined ? 'is required' : undefined),
  });
  if (result.success) return { problems: [], template: result.data };
  return { problems: result.error.issues.flatMap((issue) => issueProblems(issue, [])), template: null };
}

// ---------------------------------------------------------- cross-references

type Entry = { index: number; item: Obj };

function entries(value: unknown): Entry[] | null {
  if (!Array.isArray(value)) return null;
  const out: Entry[] = [];
  value.forEach((item: unknown, index) => {
    if (isObj(item)) out.push({ index, item });
  });
  return out;
}

function idSet(value: unknown): Set<string> | null {
  const list = entries(value);
  if (list === null) return null;
  return new Set(list.map((e) => e.item['id']).filter((id): id is string => typeof id === 'string'));
}

// prettier-ignore
const LISTS_WITH_IDS = [
  'roles', 'channels', 'environments', 'states', 'releaseTypes', 'workItemKinds', 'priorities',
  'elementTypes', 'externalSystems', 'checklist', 'milestones', 'mailTemplates',
] as const;

function uniqueValues(base: Segment[], list: Entry[] | null, field: string, what: string): Problem[] {
  const problems: Problem[] = [];
  const seen = new Map<unknown, number>();
  for (const { index, item } of list ?? []) {
    const value = item[field];
    if (typeof value !== 'string' && typeof value !== 'number') continue;
    const first = seen.get(value);
    if (first === undefined) seen.set(value, index);
    else {
      problems.push({
        segments: [...base, index, field],
        message: `duplicate ${what} ${JSON.stringify(value)} (already used at ${formatPath([...base, first])})`,
      });
    }
  }
  return problems;
}

function roleRef(segments: Segment[], role: unknown, roles: Set<string> | null): Problem[] {
  if (typeof role !== 'string' || roles === null || roles.has(role)) return [];
  return [{ segments, message: `unknown role "${role}"` }];
}

function permissionProblems(root: Obj, roles: Set<string> | null): Problem[] {
  const problems: Problem[] = [];
  const permissions = root['permissions'];
  if (!isObj(permissions)) return problems;
  for (const [action, granted] of Object.entries(permissions)) {
    if (!Array.isArray(granted)) continue;
    const seen = new Set<unknown>();
    granted.forEach((role: unknown, index) => {
      const segments = ['permissions', action, index];
      if (role === SYSTEM_ROLES.viewer) {
        problems.push({
          segments,
          message: `the "${SYSTEM_ROLES.viewer}" role is read-only and cannot be granted actions`,
        });
      } else {
        problems.push(...roleRef(segments, role, roles));
      }
      if (seen.has(role)) problems.push({ segments, message: `role "${String(role)}" is listed twice` });
      seen.add(role);
    });
  }
  return problems;
}

function environmentProblems(root: Obj): Problem[] {
  const list = entries(root['environments']);
  if (list === null) return [];
  const problems = uniqueValues(['environments'], list, 'order', 'order');
  const production = list.filter((e) => e.item['production'] === true).length;
  if (production !== 1) {
    const message = `exactly one environment must have production: true (found ${production})`;
    problems.push({ segments: ['environments'], message });
  }
  return problems;
}

function stateProblems(root: Obj): Problem[] {
  const problems: Problem[] = [];
  const states = entries(root['states']);
  if (states === null) return problems;
  const ids = idSet(root['states']) ?? new Set<string>();
  const terminal = new Set(states.filter((s) => s.item['terminal'] === true).map((s) => s.item['id']));
  if (states.length > 0 && terminal.size === 0) {
    problems.push({ segments: ['states'], message: 'at least one state must be terminal' });
  }
  for (const { index, item } of entries(root['releaseTypes']) ?? []) {
    const initial = item['initialState'];
    if (typeof initial !== 'string') continue;
    const segments = ['releaseTypes', index, 'initialState'];
    if (!ids.has(initial)) problems.push({ segments, message: `unknown state "${initial}"` });
    else if (terminal.has(initial)) {
      problems.push({ segments, message: `state "${initial}" is terminal and cannot be initial` });
    }
  }
  return problems;
}

function channelProblems(root: Obj): Problem[] {
  const channels = idSet(root['channels']);
  if (channels === null) return [];
  const problems: Problem[] = [];
  for (const { index, item } of entries(root['elementTypes']) ?? []) {
    const channel = item['channel'];
    if (typeof channel === 'string' && !channels.has(channel)) {
      const message = `unknown channel "${channel}"`;
      problems.push({ segments: ['elementTypes', index, 'channel'], message });
    }
  }
  return problems;
}

function roleProblems(root: Obj): Problem[] {
  const roles = idSet(root['roles']);
  const problems: Problem[] = [];
  for (const required of roles === null ? [] : Object.values(SYSTEM_ROLES)) {
    if (!roles?.has(required)) {
      problems.push({ segments: ['roles'], message: `a role with id "${required}" is required` });
    }
  }
  problems.push(...permissionProblems(root, roles));
  for (const { index, item } of entries(root['checklist']) ?? []) {
    const responsible = item['responsible'];
    if (!Array.isArray(responsible)) continue;
    responsible.forEach((role: unknown, j) => {
      problems.push(...roleRef(['checklist', index, 'responsible', j], role, roles));
    });
  }
  const contacts = root['contacts'];
  if (isObj(contacts)) {
    for (const kind of ['resources', 'escalation'] as const) {
      for (const { index, item } of entries(contacts[kind]) ?? []) {
        problems.push(...roleRef(['contacts', kind, index, 'role'], item['role'], roles));
      }
    }
    const escalation = entries(contacts['escalation']);
    problems.push(...uniqueValues(['contacts', 'escalation'], escalation, 'order', 'order'));
  }
  return problems;
}

function ref(segments: Segment[], value: unknown, known: Set<string> | null, what: string): Problem[] {
  if (typeof value !== 'string' || known === null || known.has(value)) return [];
  return [{ segments, message: `unknown ${what} "${value}"` }];
}

/** References of the calendar, checklist, contacts and mail sections to the rest of the template. */
function coordinationProblems(root: Obj): Problem[] {
  const problems: Problem[] = [];
  const milestones = idSet(root['milestones']) ?? new Set<string>();
  const mails = idSet(root['mailTemplates']) ?? new Set<string>();
  const roles = idSet(root['roles']);
  const systems = idSet(root['externalSystems']) ?? new Set<string>();
  const contacts = root['contacts'];
  const groups = isObj(contacts) ? (idSet(contacts['groups']) ?? new Set<string>()) : new Set<string>();
  const transitions = new Set(
    (entries(root['workflows']) ?? []).flatMap(({ item }) => (entries(item['transitions']) ?? []).map((t) => t.item['id'])),
  );
  const transitionList = [...transitions].filter((t): t is string => typeof t === 'string').join(', ');
  for (const { index, item } of entries(root['checklist']) ?? []) {
    const due = item['due'];
    if (isObj(due)) problems.push(...ref(['checklist', index, 'due', 'milestone'], due['milestone'], milestones, 'milestone'));
    problems.push(...ref(['checklist', index, 'mail'], item['mail'], mails, 'mail template'));
    const taskChannels = item['channels'];
    if (Array.isArray(taskChannels)) {
      const channels = idSet(root['channels']);
      taskChannels.forEach((c: unknown, j) => problems.push(...ref(['checklist', index, 'channels', j], c, channels, 'channel')));
    }
    const before = item['requiredBefore'];
    if (!Array.isArray(before)) continue;
    before.forEach((t: unknown, j) => {
      if (typeof t === 'string' && !transitions.has(t))
        problems.push({
          segments: ['checklist', index, 'requiredBefore', j],
          message: `unknown transition "${t}"; one of: ${transitionList}`,
        });
    });
  }
  for (const { index, item } of entries(root['approvals']) ?? []) {
    problems.push(...ref(['approvals', index, 'notifyOnRequest'], item['notifyOnRequest'], mails, 'mail template'));
    const notify = item['notify'];
    if (!Array.isArray(notify)) continue;
    notify.forEach((m: unknown, j) => problems.push(...ref(['approvals', index, 'notify', j], m, mails, 'mail template')));
  }
  const calendar = root['calendar'];
  const override = isObj(calendar) ? calendar['blackoutOverride'] : undefined;
  if (isObj(override) && Array.isArray(override['releaseTypes'])) {
    const types = idSet(root['releaseTypes']);
    override['releaseTypes'].forEach((t: unknown, j) =>
      problems.push(...ref(['calendar', 'blackoutOverride', 'releaseTypes', j], t, types, 'release type')),
    );
  }
  for (const { index, item } of entries(root['mailTemplates']) ?? []) {
    for (const field of ['subject', 'body'] as const) {
      const text = item[field];
      if (typeof text !== 'string') continue;
      for (const name of unknownPlaceholders(text)) {
        problems.push({ segments: ['mailTemplates', index, field], message: `unknown placeholder {{${name}}}` });
      }
    }
    for (const field of ['to', 'cc'] as const) {
      const list = item[field];
      if (!Array.isArray(list)) continue;
      list.forEach((r: unknown, j) => {
        if (typeof r !== 'string') return;
        const at: Segment[] = ['mailTemplates', index, field, j];
        const [kind, id] = r.split(':', 2);
        if (kind === 'role') problems.push(...roleRef(at, id, roles));
        else if (kind === 'group') problems.push(...ref(at, id, groups, 'distribution group'));
        else if (kind === 'system') problems.push(...ref(at, id, systems, 'external system'));
      });
    }
  }
  if (isObj(contacts)) problems.push(...uniqueValues(['contacts', 'groups'], entries(contacts['groups']), 'id', 'id'));
  return problems;
}

function namingProblems(root: Obj): Problem[] {
  const problems: Problem[] = [];
  const naming = root['naming'];
  // Records silently drop "__proto__" keys while parsing, so they are reported here.
  for (const record of ['tokens', 'defaults'] as const) {
    const value = isObj(naming) ? naming[record] : undefined;
    if (isObj(value) && Object.hasOwn(value, '__proto__')) {
      problems.push({ segments: ['naming', record, '__proto__'], message: 'reserved key' });
    }
  }
  // The pattern rules only make sense once the section has the right shape.
  const parsed = namingSchema.safeParse(naming);
  if (parsed.success) {
    for (const p of checkNaming(parsed.data)) {
      problems.push({ segments: parsePath(p.path), message: p.message });
    }
  }
  return problems;
}

function crossReferenceProblems(root: Obj): Problem[] {
  const problems: Problem[] = [];
  for (const section of LISTS_WITH_IDS) {
    problems.push(...uniqueValues([section], entries(root[section]), 'id', 'id'));
  }
  problems.push(...uniqueValues(['priorities'], entries(root['priorities']), 'order', 'order'));
  problems.push(...environmentProblems(root));
  problems.push(...stateProblems(root));
  problems.push(...channelProblems(root));
  problems.push(...roleProblems(root));
  problems.push(...namingProblems(root));
  problems.push(...coordinationProblems(root));
  for (const p of lifecycleProblems(root)) problems.push({ segments: parsePath(p.path), message: p.message });
  for (const p of deploymentProblems(root)) problems.push({ segments: parsePath(p.path), message: p.message });
  return problems;
}

// ------------------------------------------------------------------- public

function validate(value: unknown): { problems: Problem[]; template: ProcessTemplate | null } {
  if (value === null || value === undefined) {
    return { problems: [{ segments: [], message: 'the template is empty' }], template: null };
  }
  const { problems, template } = parseSchema(value);
  if (isObj(value)) problems.push(...crossReferenceProblems(value));
  const unique = new Map<string, Problem>();
  for (const p of problems) unique.set(`${formatPath(p.segments)}\u0000${p.message}`, p);
  const deduped = [...unique.values()];
  return deduped.length > 0 ? { problems: deduped, template: null } : { problems: [], template };
}

function capped<T>(problems: readonly T[]): T[] {
  return problems.slice(0, MAX_PROBLEMS);
}

function withOverflow(shown: TemplateProblem[], total: number): TemplateProblem[] {
  if (total <= shown.length) return shown;
  return [...shown, { path: '', message: `${total - shown.length} more problems not shown` }];
}

function toPublic(problems: readonly Problem[]): TemplateProblem[] {
  const shown = capped(problems).map((p) => ({ path: formatPath(p.segments), message: p.message }));
  return withOverflow(shown, problems.length);
}

/** Validates an already-parsed value (e.g. from JSON) against shape and cross-references. */
export function validateTemplate(value: unknown): TemplateParseResult {
  try {
    const { problems, template } = validate(value);
    if (template !== null) return { ok: true, template };
    return { ok: false, problems: toPublic(problems) };
  } catch (error) {
    return { ok: false, problems: [{ path: '', message: `cannot validate: ${errorMessage(error)}` }] };
  }
}

/**
 * The yaml package's own duplicate-key check compares every pair of keys, which
 * takes seconds on a large hostile map; a set per map does the same in linear time.
 * Keys are compared by their string form because that is what they become in JS.
 */
function duplicateKeys(doc: Document): { offset: number; message: string }[] {
  const found: { offset: number; message: string }[] = [];
  visit(doc, {
    Map(_key, map) {
      const seen = new Set<string>();
      for (const pair of map.items) {
        if (!isScalar(pair.key)) continue;
        const key = String(pair.key.value);
        if (seen.has(key)) {
          found.push({
            offset: pair.key.range?.[0] ?? 0,
            message: `Map keys must be unique; ${JSON.stringify(key)} appears more than once`,
          });
        }
        seen.add(key);
      }
    },
  });
  return found;
}

function lineOf(doc: Document, lines: LineCounter, segments: readonly Segment[]): number | null {
  for (let n = segments.length; n > 0; n -= 1) {
    const node: unknown = doc.getIn(segments.slice(0, n), true);
    if (isObj(node) && Array.isArray(node['range']) && typeof node['range'][0] === 'number') {
      return lines.linePos(node['range'][0]).line;
    }
  }
  return null;
}

function parseYaml(text: string): TemplateParseResult {
  if (typeof text !== 'string') {
    return { ok: false, problems: [{ path: '', message: 'the template must be text' }] };
  }
  // Every UTF-16 unit needs at least one UTF-8 byte, so long strings fail without encoding.
  const size = text.length > MAX_TEMPLATE_BYTES ? text.length : new TextEncoder().encode(text).byteLength;
  if (size > MAX_TEMPLATE_BYTES) {
    const message = `the template is larger than ${MAX_TEMPLATE_BYTES} bytes`;
    return { ok: false, problems: [{ path: '', message }] };
  }
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: false });
  const fatal = [...doc.errors.map((e) => ({ offset: e.pos[0], message: e.message })), ...duplicateKeys(doc)];
  const warnings = doc.warnings.map((w) => ({ offset: w.pos[0], message: w.message }));
  const all = [...fatal, ...warnings];
  const yamlProblems = capped(all).map(({ offset, message }) => {
    const { line, col } = lines.linePos(offset);
    return { path: '', message: `line ${line}, column ${col}: ${message}` };
  });
  // A document with syntax errors is only partly composed; validating that
  // fragment would add misleading problems on top of the real one.
  if (fatal.length > 0) return { ok: false, problems: withOverflow(yamlProblems, all.length) };

  let value: unknown;
  try {
    value = doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
  } catch (error) {
    return { ok: false, problems: [...yamlProblems, { path: '', message: errorMessage(error) }] };
  }
  const { problems, template } = validate(value);
  if (template !== null && yamlProblems.length === 0) return { ok: true, template };
  const located = capped(problems).map((p) => {
    const line = lineOf(doc, lines, p.segments);
    return {
      path: formatPath(p.segments),
      message: line === null ? p.message : `${p.message} (line ${line})`,
    };
  });
  const shown = capped([...yamlProblems, ...located]);
  return { ok: false, problems: withOverflow(shown, all.length + problems.length) };
}

/** Parses and validates a template document; never throws, whatever the input. */
export function parseTemplateYaml(text: string): TemplateParseResult {
  try {
    return parseYaml(text);
  } catch (error) {
    return { ok: false, problems: [{ path: '', message: `cannot read template: ${errorMessage(error)}` }] };
  }
}
