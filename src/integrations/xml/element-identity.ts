import type { CacheElementType } from './cache-export-types.js';

/**
 * Studio stamps these on every save, so a class that was only recompiled or
 * re-saved exports differently although its code is the same (in real release
 * files most classes of a new version differ from the old one in
 * `<TimeChanged>` alone). They are left out of the content hash. The set is
 * kept to what Studio writes; anything else in an element counts.
 */
export const VOLATILE_CHILDREN: Partial<Record<string, ReadonlySet<string>>> = {
  // Direct children of <Class>: modification and creation time in $HOROLOG form.
  Class: new Set(['TimeChanged', 'TimeCreated']),
};

export const VOLATILE_ATTRIBUTES: Partial<Record<string, ReadonlySet<string>>> = {
  // <Routine timestamp="63920,46685">: the routine's save time, the routine counterpart of <TimeChanged>.
  Routine: new Set(['timestamp']),
  // <Project LastModified="2015-12-21 23:04:23.319664">: bumped whenever the project is saved in Studio.
  Project: new Set(['LastModified']),
};

/** Top-level elements that describe the file rather than code: read (so the file must still be well-formed) but not listed. */
export const UNLISTED = new Set(['Checksum']);

/**
 * Studio writes `application="/csp/cms/"` and `name="login.csp"` (or
 * `name="js/app.js"`); joined they give the page's URL path, which is how
 * people refer to a CSP file. Exactly one slash is kept at the joint.
 */
export function cspName(application: string | undefined, name: string): string {
  if (!application) return name;
  const appSlash = application.endsWith('/');
  const nameSlash = name.startsWith('/');
  if (appSlash && nameSlash) return application + name.slice(1);
  if (!appSlash && !nameSlash) return `${application}/${name}`;
  return application + name;
}

/**
 * Type and name of a top-level element from its start tag. A `<Global>` has
 * no name attribute; its name (`^Name`) is filled in later from the first
 * `<Node><Sub>`, so it comes back as null here.
 */
export function identify(tag: string, attributes: Record<string, string>): { type: CacheElementType; name: string | null } {
  const name = attributes['name'];
  switch (tag) {
    case 'Class':
      return { type: 'class', name: name ?? '' };
    case 'Routine': {
      // Routines are known by name and type together: sc.compile.MAC and sc.compile.INT are different documents.
      const type = attributes['type'];
      return { type: 'routine', name: type ? `${name ?? ''}.${type}` : (name ?? '') };
    }
    case 'CSP':
    case 'CSPBase64': // binary CSP files (images, fonts) are exported base64-encoded under their own tag
      return { type: 'csp', name: cspName(attributes['application'], name ?? '') };
    case 'Document':
      return { type: 'document', name: name ?? '' };
    case 'Global':
      return { type: 'global', name: name ?? null };
    case 'Project':
      return { type: 'project', name: name ?? '' };
    default:
      // The tag alone would make two <Package name=…> elements collide in a diff, so a name, when present, is kept.
      return { type: 'other', name: name === undefined ? tag : `${tag}:${name}` };
  }
}
