import { keyValues, table } from '../output.js';
import { formatBytes } from '../progress.js';

export type ElementRef = { type: string; name: string };
export type PackageFile = { name: string; kind: string; size: number; sha256: string };
export type PackageView = {
  channel: string;
  version: number;
  label: string;
  createdBy: string;
  createdAt: string;
  file: PackageFile | null;
};
export type CoveredFile = { version: number; kind: string; fileName: string };
export type Coverage = {
  items: { item: string; missing: ElementRef[] }[];
  undeclared: ElementRef[];
  complete: boolean;
  files?: CoveredFile[];
};
export type Uploaded = PackageView & { reused: boolean; voidedApprovals: number; coverage: Coverage | null };
export type CoverageView = Coverage & { version: number };

type CacheElement = { type: string; name: string; sha256: string; bytes: number; items?: unknown[] };
type ArchiveEntry = { name: string; directory: boolean; size: number; compressedSize: number; crc32: string; method: string };
type Manifest = {
  format?: string;
  elements?: CacheElement[];
  entries?: ArchiveEntry[];
  totalSize?: number;
  totalCompressedSize?: number;
  war?: { webXml: boolean; libJars: string[]; classes: number };
};
export type Shown = PackageView & { manifest: Manifest | null };

type Side = { release: string; version: number; fileName: string | null };
type DiffElement = { type?: string; name: string; sha256?: string; size?: number; crc32?: string };
export type Diff = {
  from: Side;
  to: Side;
  kind: string;
  added: DiffElement[];
  removed: DiffElement[];
  changed: { before: DiffElement; after: DiffElement }[];
  unchanged: number;
};

const ref = (e: ElementRef) => `${e.type}:${e.name}`;
const short = (sha: string | undefined) => (sha ? sha.slice(0, 12) : '-');

/** One line per item with missing elements, then the undeclared count (or list). */
export function coverageLines(c: Coverage, listUndeclared: boolean): string[] {
  const gaps = c.items.filter((i) => i.missing.length > 0);
  const over = c.files?.length ? c.files.map((f) => `${f.fileName} (${f.kind} v${f.version})`).join(' + ') : 'the file';
  const lines = [
    c.complete
      ? `coverage: complete — every element the ${c.items.length} work item(s) declare is in ${over}`
      : `coverage: INCOMPLETE — ${gaps.length} work item(s) with missing elements from ${over}`,
  ];
  for (const i of gaps) lines.push(`  ${i.item} misses ${i.missing.map(ref).join(', ')}`);
  lines.push(
    `undeclared: ${c.undeclared.length} element(s) in ${c.files && c.files.length > 1 ? 'the files' : 'the file'} that no work item declares`,
  );
  if (listUndeclared) for (const u of c.undeclared) lines.push(`  ${ref(u)}`);
  return lines;
}

export function renderUploaded(release: string, u: Uploaded): string {
  const f = u.file;
  const head = u.reused
    ? `reused ${u.channel} package v${u.version} of ${release}: the same file for the same work items is already the current one (no new version)`
    : `uploaded ${f?.name ?? u.label} to ${release} ${u.channel}: package v${u.version}`;
  const lines = [
    head,
    keyValues(
      {
        version: u.version,
        kind: f?.kind,
        size: f ? `${formatBytes(f.size)} (${f.size} bytes)` : '-',
        sha256: f?.sha256,
        reused: u.reused ? 'yes' : 'no',
      },
      ['version', 'kind', 'size', 'sha256', 'reused'],
    ),
  ];
  if (u.voidedApprovals > 0) lines.push(`voided ${u.voidedApprovals} approval(s): a new package needs them again`);
  if (u.coverage) lines.push(...coverageLines(u.coverage, false));
  return lines.join('\n');
}

export function renderList(items: PackageView[]): string {
  return table(
    items.map((p) => ({
      channel: p.channel,
      version: p.version,
      kind: p.file?.kind ?? '(recorded)',
      file: p.file?.name ?? p.label,
      size: p.file ? formatBytes(p.file.size) : '-',
      sha256: short(p.file?.sha256),
      by: p.createdBy,
      at: p.createdAt,
    })),
    ['channel', 'version', 'kind', 'file', 'size', 'sha256', 'by', 'at'],
  );
}

function header(p: PackageView): string {
  const f = p.file;
  return keyValues(
    {
      channel: p.channel,
      version: p.version,
      file: f?.name ?? `(recorded without a file: ${p.label})`,
      kind: f?.kind,
      size: f ? `${formatBytes(f.size)} (${f.size} bytes)` : '-',
      sha256: f?.sha256,
      by: p.createdBy,
      at: p.createdAt,
    },
    ['channel', 'version', 'file', 'kind', 'size', 'sha256', 'by', 'at'],
  );
}

export function renderShown(p: Shown): string {
  const m = p.manifest;
  const out = [header(p)];
  if (!m) return out.join('\n');
  if (m.elements) {
    const counts = new Map<string, number>();
    for (const e of m.elements) counts.set(e.type, (counts.get(e.type) ?? 0) + 1);
    const summary = [...counts].map(([t, n]) => `${t} ${n}`).join(', ');
    out.push(`elements: ${m.elements.length}${summary ? ` (${summary})` : ''}`, '');
    out.push(
      table(
        m.elements.map((e) => ({ type: e.type, name: e.name, bytes: e.bytes, sha256: short(e.sha256) })),
        ['type', 'name', 'bytes', 'sha256'],
      ),
    );
  } else if (m.entries) {
    const files = m.entries.filter((e) => !e.directory);
    out.push(
      `entries: ${m.entries.length} (${files.length} file(s), ${m.entries.length - files.length} folder(s)), ${formatBytes(m.totalSize ?? 0)} unpacked, ${formatBytes(m.totalCompressedSize ?? 0)} packed`,
    );
    if (m.war)
      out.push(
        `war: web.xml ${m.war.webXml ? 'present' : 'MISSING'}, ${m.war.libJars.length} jar(s) in WEB-INF/lib, ${m.war.classes} class file(s)`,
      );
    out.push(
      '',
      table(
        files.map((e) => ({ name: e.name, size: e.size, packed: e.compressedSize, method: e.method, crc32: e.crc32 })),
        ['name', 'size', 'packed', 'method', 'crc32'],
      ),
    );
  }
  return out.join('\n');
}

export function renderCoverage(release: string, channel: string, c: CoverageView): string {
  return [`${release} ${channel} package v${c.version}`, ...coverageLines(c, true)].join('\n');
}

const label = (e: DiffElement) => (e.type ? `${e.type}:${e.name}` : e.name);
function detail(e: DiffElement): string {
  if (e.sha256) return short(e.sha256);
  if (e.size !== undefined) return `${e.size} B${e.crc32 ? ` crc ${e.crc32}` : ''}`;
  return '';
}

export function renderDiff(channel: string, d: Diff): string {
  const side = (s: Side) => `${s.release} v${s.version}${s.fileName ? ` (${s.fileName})` : ''}`;
  const lines = [
    `${channel} ${d.kind}: ${side(d.from)} → ${side(d.to)}`,
    `${d.added.length} added, ${d.removed.length} removed, ${d.changed.length} changed, ${d.unchanged} unchanged`,
  ];
  for (const e of d.added) lines.push(`+ ${label(e)}`);
  for (const e of d.removed) lines.push(`- ${label(e)}`);
  for (const c of d.changed) lines.push(`~ ${label(c.after)} (${detail(c.before)} → ${detail(c.after)})`);
  return lines.join('\n');
}

export type ElementDiff = {
  element: string;
  from: { release: string; version: number; text: string | null };
  to: { release: string; version: number; text: string | null };
  members: { kind: string; name: string; change: 'added' | 'removed' | 'changed' }[];
  unified: string;
};

/** The unified diff of one element's text, or a line saying it did not change. */
export function renderElementDiff(e: ElementDiff): string {
  if (e.unified === '') return `${e.element}: no change from ${e.from.release} v${e.from.version} to ${e.to.release} v${e.to.version}`;
  return e.unified.replace(/\n$/, '');
}
