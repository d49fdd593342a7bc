import type { ProcessTemplate } from './schema.js';

/**
 * Document control (P18) records which sections a template version changed.
 * `revision` describes the change itself, so it never counts as a changed section.
 */
const IGNORED = new Set(['revision']);

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function definedKeys(value: Record<string, unknown>): string[] {
  return Object.keys(value).filter((key) => value[key] !== undefined);
}

/** Structural equality; an absent key and a key holding `undefined` are the same. */
export function deepEqual(a: unknown, b: unknown): boolean {
  if (Object.is(a, b)) return true;
  if (Array.isArray(a) || Array.isArray(b)) {
    if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length) return false;
    return a.every((item, i) => deepEqual(item, b[i]));
  }
  if (!isPlainObject(a) || !isPlainObject(b)) return false;
  const keys = definedKeys(a);
  if (keys.length !== definedKeys(b).length) return false;
  return keys.every((key) => Object.hasOwn(b, key) && deepEqual(a[key], b[key]));
}

export function changedSections(prev: ProcessTemplate | null, next: ProcessTemplate): string[] {
  const nextRecord: Record<string, unknown> = next;
  if (prev === null) {
    return definedKeys(nextRecord)
      .filter((key) => !IGNORED.has(key))
      .sort();
  }
  const prevRecord: Record<string, unknown> = prev;
  const keys = new Set([...definedKeys(prevRecord), ...definedKeys(nextRecord)]);
  return [...keys].filter((key) => !IGNORED.has(key) && !deepEqual(prevRecord[key], nextRecord[key])).sort();
}
