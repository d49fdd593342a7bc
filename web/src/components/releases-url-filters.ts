import { useCallback } from 'react';
import { useSearchParams } from 'react-router';

/**
 * A list's filters kept in the address (`?state=draft,packaging&q=HD-1`), so a
 * filtered view survives a reload and can be shared as a link. Changing a
 * filter goes back to the first page.
 */
export function useUrlFilters<K extends string>(keys: readonly K[]) {
  const [params, setParams] = useSearchParams();
  const get = (k: K | 'page') => params.get(k) ?? '';
  const list = (k: K) => get(k).split(',').filter(Boolean);
  const set = useCallback(
    (changes: Partial<Record<K | 'page', string | string[]>>) => {
      setParams(
        (prev) => {
          const next = new URLSearchParams(prev);
          for (const [k, v] of Object.entries(changes) as [string, string | string[] | undefined][]) {
            const text = Array.isArray(v) ? v.join(',') : (v ?? '');
            if (text) next.set(k, text);
            else next.delete(k);
          }
          if (!('page' in changes)) next.delete('page');
          return next;
        },
        { replace: true },
      );
    },
    [setParams],
  );
  const values = Object.fromEntries(keys.map((k) => [k, get(k)])) as Record<K, string>;
  const page = Math.max(1, Number(get('page')) || 1);
  return { values, list, set, page, clear: () => setParams(new URLSearchParams(), { replace: true }) };
}

/** The problems a problem lists for a field, including those about its entries (`channels[0]`). */
export function listFieldProblems(err: unknown, field: string): string | undefined {
  const p = (err as { problem?: { errors?: { path?: string; field?: string; message: string }[] } } | null)?.problem;
  const hits = (p?.errors ?? []).filter((e) => {
    const where = e.field ?? e.path ?? '';
    return where === field || where.startsWith(`${field}[`) || where.startsWith(`${field}.`);
  });
  return hits.length ? hits.map((e) => e.message).join('; ') : undefined;
}
