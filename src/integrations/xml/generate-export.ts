/**
 * A synthetic but realistic Studio project export of any size, produced as a
 * stream of string chunks: classes with descriptions, properties, methods
 * whose ObjectScript sits in CDATA (with `<`, `&` and non-ASCII characters),
 * storage definitions and Studio's time stamps, then the `<Project>` listing
 * them. Used to check that reading stays in constant memory and to benchmark
 * the reader; the same options and seed always give the same bytes.
 */

/** Chunks of about this size, like a file stream's reads. */
const CHUNK = 64 * 1024;
/** Method bodies are cut at about this size, as a real method would be. */
const METHOD_BYTES = 4 * 1024;

export type GenerateExportOptions = {
  classes: number;
  /** Approximate size of each class's method code in bytes. */
  bodyBytes: number;
  seed?: number;
};

/** mulberry32: tiny, fast and good enough to vary generated code deterministically. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const LINES: readonly ((r: () => number, cls: string) => string)[] = [
  () => '\tset sc = $$$OK',
  (_r, cls) => `\tset patient = ##class(${cls}).%OpenId(id, , .sc)`,
  () => '\tquit:$$$ISERR(sc) sc',
  (r) => `\tfor i=1:1:${1 + Math.floor(r() * 50)} { set total = total + $get(^CMSData("visits", id, i), 0) }`,
  () => '\tset ^CMSLog($increment(^CMSLog)) = $listbuild($zdatetime($horolog, 3), "Überprüfung", id)',
  (r) => `\tif (count < ${Math.floor(r() * 100)}) && (status = "active") { do ..notify(id, "Beitrag € ${Math.floor(r() * 1000)}") }`,
  () => '\t#; keep the audit trail even when the update fails',
  () => '\ttry { set sc = patient.%Save() } catch ex { set sc = ex.AsStatus() }',
  (r) => `\tset name = $piece(patient.Name, ",", ${1 + Math.floor(r() * 3)}) _ " – Größe " _ $length(patient.Name)`,
  () => '\tquit sc',
];

const PROPERTY_TYPES = ['%String', '%Integer', '%Date', '%Boolean', 'CMS.Code'] as const;

function className(i: number): string {
  return `CMS.Gen.Pkg${String(i % 20).padStart(2, '0')}.Class${String(i).padStart(6, '0')}`;
}

function* classParts(i: number, bodyBytes: number, r: () => number): Generator<string> {
  const name = className(i);
  const day = 65000 + Math.floor(r() * 500);
  yield `<Class name="${name}">
<Description>
Generated case-management class ${i} – Prüfung der Fälle</Description>
<Super>%Persistent</Super>
<TimeChanged>${day},${Math.floor(r() * 86400)}.${Math.floor(r() * 1e6)}</TimeChanged>
<TimeCreated>${day - 30},${Math.floor(r() * 86400)}.${Math.floor(r() * 1e6)}</TimeCreated>
`;
  const properties = 2 + Math.floor(r() * 4);
  for (let p = 0; p < properties; p++) {
    yield `
<Property name="Field${p}">
<Type>${PROPERTY_TYPES[Math.floor(r() * PROPERTY_TYPES.length)] ?? '%String'}</Type>
</Property>
`;
  }
  let written = 0;
  for (let m = 0; written < bodyBytes; m++) {
    let body = '';
    while (body.length < METHOD_BYTES && written + body.length < bodyBytes) {
      const line = LINES[Math.floor(r() * LINES.length)] ?? LINES[0];
      body += `${line?.(r, name) ?? ''}\n`;
    }
    written += body.length;
    yield `
<Method name="Process${m}">
<ClassMethod>1</ClassMethod>
<FormalSpec>id:%String,count:%Integer=0</FormalSpec>
<ReturnType>%Status</ReturnType>
<Implementation><![CDATA[
${body}]]></Implementation>
</Method>
`;
  }
  yield `
<Storage name="Default">
<Type>%Storage.Persistent</Type>
<DataLocation>^CMS.Gen.Class${i}D</DataLocation>
<DefaultData>Class${i}DefaultData</DefaultData>
<IdLocation>^CMS.Gen.Class${i}D</IdLocation>
<IndexLocation>^CMS.Gen.Class${i}I</IndexLocation>
<StreamLocation>^CMS.Gen.Class${i}S</StreamLocation>
</Storage>
</Class>


`;
}

/** The export as string chunks of about 64 KiB; nothing larger than one method is ever built. */
export async function* generateCacheExport(opts: GenerateExportOptions): AsyncGenerator<string> {
  const r = prng(opts.seed ?? 1);
  let buf =
    '<?xml version="1.0" encoding="UTF-8"?>\n' +
    '<Export generator="IRIS" version="26" zv="IRIS for UNIX (Red Hat Enterprise Linux 8 for x86-64) 2023.1.2 (Build 450U)" ' +
    'ts="2024-03-09 14:02:11">\n';
  const parts = function* (): Generator<string> {
    for (let i = 1; i <= opts.classes; i++) yield* classParts(i, opts.bodyBytes, r);
    yield '<Project name="CMS_Generated" LastModified="2024-03-09 14:01:58.123456">\n  <Items>\n';
    for (let i = 1; i <= opts.classes; i++) yield `    <ProjectItem name="${className(i)}" type="CLS"></ProjectItem>\n`;
    yield '  </Items>\n</Project>\n</Export>\n';
  };
  for (const part of parts()) {
    buf += part;
    while (buf.length >= CHUNK) {
      yield buf.slice(0, CHUNK);
      buf = buf.slice(CHUNK);
    }
  }
  if (buf.length > 0) yield buf;
}
