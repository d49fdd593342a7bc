import type { ProcessTemplate } from './template/schema.js';

export type ElementRef = { type: string; name: string };
export type ItemCoverage = { item: string; missing: ElementRef[] };
export type Coverage = { items: ItemCoverage[]; undeclared: ElementRef[]; complete: boolean };

export const contentKey = (e: ElementRef): string => `${e.type}:${e.name}`;

function fromKey(key: string): ElementRef {
  const i = key.indexOf(':');
  return { type: key.slice(0, i), name: key.slice(i + 1) };
}

/**
 * P5: which elements each work item declares for this channel are missing from
 * the package, and which elements the package carries that no item declares.
 */
export function packageCoverage(
  t: ProcessTemplate,
  channel: string,
  items: readonly { key: string; elements?: ElementRef[] | undefined }[],
  contents: readonly string[],
): Coverage {
  const inChannel = new Set(t.elementTypes.filter((e) => e.channel === channel).map((e) => e.id));
  const present = new Set(contents);
  const declared = new Set<string>();
  const out: ItemCoverage[] = [];
  for (const item of items) {
    const mine = (item.elements ?? []).filter((e) => inChannel.has(e.type));
    for (const e of mine) declared.add(contentKey(e));
    out.push({ item: item.key, missing: mine.filter((e) => !present.has(contentKey(e))) });
  }
  // Projects group other elements; they are packaging, not something an item changes.
  const undeclared = contents.filter((k) => !declared.has(k) && !k.startsWith('project:')).map(fromKey);
  return { items: out, undeclared, complete: out.every((i) => i.missing.length === 0) };
}
