import { ConflictError, ValidationError, type FieldProblem } from './errors.js';
import type { ProcessTemplate } from './template/schema.js';

export type PackageKind = 'cache-xml' | 'zip' | 'war';

/** The kind a file name announces; the content is checked against it when read. */
export function kindFromName(fileName: string): PackageKind | null {
  const ext = /\.([A-Za-z0-9]+)$/.exec(fileName)?.[1]?.toLowerCase();
  if (ext === 'xml') return 'cache-xml';
  if (ext === 'zip') return 'zip';
  if (ext === 'war') return 'war';
  return null;
}

/** A plain file name: no path separators, no control characters. */
export const isFileName = (n: string): boolean =>
  n.length >= 1 && n.length <= 255 && !/[/\\]/.test(n) && ![...n].some((c) => c.charCodeAt(0) < 32) && n !== '.' && n !== '..';

/** What the pre-check knows of the release a file is uploaded to. */
export type UploadTarget = {
  name: string;
  state: string;
  /** The channels the release carries. */
  channels: readonly string[];
};

/**
 * Whether a package file named `fileName` may be uploaded to `channel` of a
 * release, judged before a single byte of it is read: its kind (from the
 * name), or the refusal. Every problem with the request itself (channel, file
 * name, kind) is collected into one ValidationError; only a request without
 * any is then refused for the release's state (closed: `release-closed`,
 * frozen packages: `packages-locked`).
 */
export function uploadPrecheck(
  template: Pick<ProcessTemplate, 'channels' | 'states'>,
  release: UploadTarget,
  channel: string,
  fileName: string,
): PackageKind {
  const problems: FieldProblem[] = [];
  const def = template.channels.find((c) => c.id === channel);
  if (!def || !release.channels.includes(channel))
    problems.push({ path: 'channel', message: `release ${release.name} carries ${release.channels.join(', ')}, not "${channel}"` });
  if (!isFileName(fileName)) problems.push({ path: 'fileName', message: 'a plain file name, 1-255 characters, no path' });
  const kind = kindFromName(fileName);
  if (kind === null)
    problems.push({ path: 'fileName', message: 'the file must be a Caché/IRIS export (.xml), a ZIP (.zip) or a WAR (.war)' });
  else if (def?.packageKinds && !def.packageKinds.includes(kind)) {
    problems.push({
      path: 'fileName',
      message: `a ${def.name} package is one of: ${def.packageKinds.join(', ')}; "${fileName}" is ${kind}`,
    });
  }
  if (problems.length > 0 || kind === null) throw new ValidationError('the package cannot be uploaded', problems);
  const state = template.states.find((s) => s.id === release.state);
  if (state?.terminal === true)
    throw new ConflictError(`release ${release.name} is ${release.state} and can no longer be changed`, 'release-closed');
  if (state?.locksPackages) {
    throw new ConflictError(
      `release ${release.name} is ${state.name}: its packages are frozen; take it back to packaging first to record a new version`,
      'packages-locked',
    );
  }
  return kind;
}
