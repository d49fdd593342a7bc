export type CacheElementType = 'class' | 'routine' | 'csp' | 'document' | 'global' | 'project' | 'other';

/** One `<ProjectItem>` of a Studio project: the name and type as Studio wrote them (e.g. `CMS.Patient`, `CLS`). */
export type CacheProjectItem = { name: string; type: string };

export type CacheElement = {
  type: CacheElementType;
  /** As Caché names it, compared case-sensitively: `CMS.Patient`, `sc.compile.MAC`, `/csp/cms/login.csp`, `^CMSConfig`. */
  name: string;
  /**
   * SHA-256 (hex) of the element's canonical form, so the same code exported
   * twice hashes the same even when Studio's modification stamps differ.
   */
  sha256: string;
  /**
   * Size of the element from `<` of its start tag to `>` of its end tag, in UTF-8 bytes: its size in the file
   * for UTF-8 exports, which is what Studio and IRIS write.
   */
  bytes: number;
  /** Projects only: the project's items in file order. */
  items?: CacheProjectItem[];
};

export type CacheManifest = {
  format: 'cache-export';
  /** `<Export>` attributes; Studio may leave any of them out. */
  generator: string | null;
  version: string | null;
  zv: string | null;
  ts: string | null;
  /** In file order. `Checksum` elements are not listed: they describe the file, not code. */
  elements: CacheElement[];
};

export type CacheExportLimits = {
  /** Most top-level elements (and most project items) accepted; default 200 000. */
  maxElements?: number;
  /** Deepest element nesting accepted, `<Export>` being depth 1; default 256. */
  maxDepth?: number;
};

export type ManifestDiff = {
  added: CacheElement[];
  removed: CacheElement[];
  changed: { before: CacheElement; after: CacheElement }[];
  unchanged: number;
};
