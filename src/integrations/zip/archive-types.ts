export type ArchiveEntry = {
  name: string;
  directory: boolean;
  size: number;
  compressedSize: number;
  /** CRC-32 of the uncompressed content as declared in the central directory, 8 lowercase hex characters. */
  crc32: string;
  method: 'stored' | 'deflated' | 'other';
};

export type WarInfo = {
  /** Exactly `WEB-INF/web.xml` is present. */
  webXml: boolean;
  /** File names (without folder) of the jars directly in `WEB-INF/lib/`, sorted. */
  libJars: string[];
  /** Number of `.class` files anywhere under `WEB-INF/classes/`. */
  classes: number;
};

export type ArchiveManifest = {
  format: 'zip' | 'war';
  /** In central directory order. */
  entries: ArchiveEntry[];
  totalSize: number;
  totalCompressedSize: number;
  war?: WarInfo;
};

export type ReadArchiveOptions = {
  kindHint?: 'zip' | 'war';
  maxEntries?: number;
  maxTotalSize?: number;
  maxRatio?: number;
};

export type ArchiveDiff = {
  added: ArchiveEntry[];
  removed: ArchiveEntry[];
  changed: { before: ArchiveEntry; after: ArchiveEntry }[];
  unchanged: number;
};
