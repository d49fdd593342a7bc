import type { CacheExportErrorReason } from './cache-export-error.js';
import { isEntityName, resolveEntity } from './xml-bytes.js';

/**
 * The scanner's refusals, in words a release engineer can act on. `at` is
 * the byte offset (from the start of the buffer being read) of the problem;
 * the scanner turns it into a line and column.
 */
export type Fail = (reason: CacheExportErrorReason, message: string, at: number) => never;

const NOT_WELL_FORMED = 'The release file is not well-formed XML';

export const TRUNCATED = 'The release file ends too early: it was probably cut off during export or transfer';
export const DISALLOWED_CHARACTER = `${NOT_WELL_FORMED}: it contains a character XML does not allow here (binary data or a stray "&" or "<"?)`;
export const MISMATCHED_TAG = `${NOT_WELL_FORMED}: a closing tag does not match the element it should close`;
export const TEXT_BEFORE_ROOT =
  'The file is not a Caché/IRIS XML export: it does not start with an XML element (is it JSON, plain text or a binary file?)';
export const TEXT_AFTER_ROOT = `${NOT_WELL_FORMED}: there is text after the closing </Export>`;
export const SECOND_ROOT = `${NOT_WELL_FORMED}: there is another element after the closing </Export>`;
export const NO_ROOT = 'The release file contains no XML element at all, so no <Export>';
export const DTD_IN_PROLOG =
  'The release file declares a DTD (<!DOCTYPE …>); Caché/IRIS exports never do, and DTDs can define entities that read ' +
  'local files or expand without bound, so the file is refused';
export const DTD_IN_CONTENT = 'The release file contains a DTD (<!DOCTYPE …>) inside its content; the file is refused';
const UNDEFINED_ENTITY =
  'The release file uses an entity reference that is not defined; a Caché/IRIS export only uses &lt; &gt; &amp; &quot; &apos; and numeric character references';

export function notWellFormed(detail: string): string {
  return `${NOT_WELL_FORMED}: ${detail}`;
}

/** The text an entity reference (`ref` is what stands between `&` and `;`) stands for, or the refusal. */
export function entityText(ref: string, fail: Fail, at: number): string {
  if (ref.length === 0) return fail('not-xml', notWellFormed('empty entity name'), at);
  const text = resolveEntity(ref);
  if (text !== null) return text;
  if (ref.startsWith('#')) return fail('not-xml', notWellFormed('malformed character entity'), at);
  return isEntityName(ref) ? fail('entity', UNDEFINED_ENTITY, at) : fail('not-xml', DISALLOWED_CHARACTER, at);
}
