export type CacheExportErrorReason = 'not-xml' | 'dtd' | 'entity' | 'not-export' | 'empty' | 'too-deep' | 'too-large';

/** Where in the file a problem was found; both one-based. */
export type TextPosition = { line: number; column: number };

/**
 * Every way an uploaded release file can be unreadable or refused. The message
 * is shown to whoever uploaded the file, so it says what is wrong in release
 * terms and where, and never echoes more than a few characters of the content.
 */
export class CacheExportError extends Error {
  override readonly name = 'CacheExportError';
  readonly line: number | undefined;
  readonly column: number | undefined;
  constructor(
    readonly reason: CacheExportErrorReason,
    message: string,
    position?: TextPosition,
    options?: { cause?: unknown },
  ) {
    super(position ? `${message} (line ${position.line}, column ${position.column})` : message, options);
    this.line = position?.line;
    this.column = position?.column;
  }
}

/** Tag names are XML names (no control characters) but may be absurdly long in a hostile file. */
export function shortTag(tag: string, max = 60): string {
  return tag.length > max ? `${tag.slice(0, max)}…` : tag;
}
