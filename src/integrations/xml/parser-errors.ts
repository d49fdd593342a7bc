import { CacheExportError, shortTag, type TextPosition } from './cache-export-error.js';

const NOT_WELL_FORMED = 'The release file is not well-formed XML';
const TRUNCATED = 'The release file ends too early: it was probably cut off during export or transfer';

/**
 * Turns a saxes error into words a release engineer can act on. Saxes's own
 * message ("3:14: unexpected close tag.") is kept only as the last resort; the
 * position comes from the parser, one-based.
 */
export function describeParserError(err: Error, where: TextPosition, rootSeen: boolean): CacheExportError {
  const raw = err.message.replace(/^\d+:\d+: /, '');
  const make = (reason: CacheExportError['reason'], message: string): CacheExportError =>
    new CacheExportError(reason, message, where, { cause: err });

  if (raw === 'undefined entity.') {
    return make(
      'entity',
      'The release file uses an entity reference that is not defined; a Caché/IRIS export only uses &lt; &gt; &amp; &quot; &apos; and numeric character references',
    );
  }
  if (raw === 'inappropriately located doctype declaration.') {
    return make('dtd', 'The release file contains a DTD (<!DOCTYPE …>) inside its content; the file is refused');
  }
  const unclosed = /^unclosed tag: (.*)$/s.exec(raw);
  if (unclosed) return make('not-xml', `${TRUNCATED} (<${shortTag(unclosed[1] ?? '')}> is never closed)`);
  if (raw === 'unexpected end.') return make('not-xml', TRUNCATED);
  if (raw === 'document must contain a root element.') {
    return make('not-export', 'The release file contains no XML element at all, so no <Export>');
  }
  if (raw === 'text data outside of root node.') {
    return make(
      'not-xml',
      rootSeen
        ? `${NOT_WELL_FORMED}: there is text after the closing </Export>`
        : 'The file is not a Caché/IRIS XML export: it does not start with an XML element (is it JSON, plain text or a binary file?)',
    );
  }
  if (raw === 'documents may contain only one root.') {
    return make('not-xml', `${NOT_WELL_FORMED}: there is another element after the closing </Export>`);
  }
  if (raw === 'unexpected close tag.' || raw.startsWith('unmatched closing tag')) {
    return make('not-xml', `${NOT_WELL_FORMED}: a closing tag does not match the element it should close`);
  }
  if (raw.startsWith('disallowed character')) {
    return make('not-xml', `${NOT_WELL_FORMED}: it contains a character XML does not allow here (binary data or a stray "&" or "<"?)`);
  }
  return make('not-xml', `${NOT_WELL_FORMED}: ${shortTag(raw.replace(/\.$/, ''), 200)}`);
}
