import { createTwoFilesPatch } from 'diff';
import { packageManifest } from '../../db/repositories/package-reads.js';
import { elementChanges, type MemberChange } from '../../domain/element-changes.js';
import { CorruptArtifactError, NotFoundError, ValidationError } from '../../domain/errors.js';
import type { CacheManifest } from '../../integrations/xml/cache-export.js';
import { ELEMENT_KEY, parseElementKey, readElementText, type ElementId } from '../../integrations/xml/element-text.js';

export { ELEMENT_KEY };
import type { ArtifactStore } from '../../integrations/storage/artifact-store.js';
import type { ServiceDeps } from '../deps.js';
import type { ReleaseRef } from '../release-lookup.js';
import { comparedVersions, loadVersion, requireFile, type Loaded, type PackageRef } from './read.js';

export type ElementView = { element: string; type: string; name: string; version: number; text: string };
export type ElementDiff = {
  element: string;
  from: { release: string; version: number; text: string | null };
  to: { release: string; version: number; text: string | null };
  members: MemberChange[];
  unified: string;
};

function elementId(key: string): ElementId {
  const id = parseElementKey(key);
  if (!id) {
    throw new ValidationError('not an element', [
      { path: 'element', message: 'expected type:name, type one of class, routine, csp, document, global, project, other' },
    ]);
  }
  return id;
}

/**
 * The element's text in a stored version, or null when the version does not
 * hold it. The manifest says whether it is there, so only a file that holds
 * it is read, and only as far as the element's end.
 */
async function textIn(store: ArtifactStore, loaded: Loaded, id: ElementId): Promise<string | null> {
  const { pkg } = loaded;
  requireFile(pkg);
  if (pkg.kind !== 'cache-xml') {
    throw new ValidationError('not a Caché/IRIS export', [
      { path: 'channel', message: `v${pkg.version} is ${pkg.kind ?? 'a file'} without elements` },
    ]);
  }
  const manifest = packageManifest.decode(pkg.manifest) as CacheManifest;
  if (!manifest.elements.some((e) => e.type === id.type && e.name === id.name)) return null;
  let found;
  try {
    found = await readElementText(store.open(pkg.sha256), id);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new CorruptArtifactError(`the stored file of ${pkg.channel} v${pkg.version} is missing`);
    }
    throw err;
  }
  // The manifest was made from these bytes: an element it lists and the file lacks means the file changed.
  if (!found) throw new CorruptArtifactError(`the stored file of ${pkg.channel} v${pkg.version} does not match its manifest`);
  return found.text;
}

/** One element's text (class as member blocks, routine as its code) in a package version of a release file. */
export async function showElement(deps: ServiceDeps, store: ArtifactStore, ref: PackageRef, key: string): Promise<ElementView> {
  const id = elementId(key);
  const loaded = await loadVersion(deps, ref);
  const text = await textIn(store, loaded, id);
  if (text === null) throw new NotFoundError('element', `${key} in ${ref.channel} v${loaded.pkg.version}`);
  return { element: key, type: id.type, name: id.name, version: loaded.pkg.version, text };
}

/**
 * What changed in one element between two versions (the same versions as the
 * package diff picks): the members added, removed or changed, and a unified
 * diff of its text. Studio's save stamps are not part of the text, so a class
 * that was only re-saved shows no change.
 */
export async function diffElement(
  deps: ServiceDeps,
  store: ArtifactStore,
  ref: ReleaseRef & { readonly channel: string },
  key: string,
  opts: { from?: number | undefined; to?: number | undefined; againstProduction?: boolean | undefined },
): Promise<ElementDiff> {
  const id = elementId(key);
  const { from, to } = await comparedVersions(deps, ref, opts);
  const before = await textIn(store, from, id);
  const after = await textIn(store, to, id);
  if (before === null && after === null) {
    throw new NotFoundError('element', `${key} in ${ref.channel} v${from.pkg.version} or v${to.pkg.version}`);
  }
  const label = (l: Loaded) => `${l.release.name}/${l.pkg.channel} v${l.pkg.version}`;
  const unified =
    before === after
      ? ''
      : createTwoFilesPatch(`${key} (${label(from)})`, `${key} (${label(to)})`, before ?? '', after ?? '', undefined, undefined, {
          context: 3,
        });
  return {
    element: key,
    from: { release: from.release.name, version: from.pkg.version, text: before },
    to: { release: to.release.name, version: to.pkg.version, text: after },
    members: elementChanges(id.type, before, after),
    unified,
  };
}
