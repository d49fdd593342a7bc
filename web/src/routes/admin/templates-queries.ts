import { useQuery } from '@tanstack/react-query';
import { api, data } from '../../api/client';
import type { paths } from '../../api/schema';

export type VersionSummary =
  paths['/api/v1/templates/{key}/versions']['get']['responses'][200]['content']['application/json']['items'][number];
export type VersionView = paths['/api/v1/templates/{key}']['get']['responses'][200]['content']['application/json'];
export type PinnedRelease = paths['/api/v1/releases']['get']['responses'][200]['content']['application/json']['items'][number];

/** Every query of this page starts with this key, so one invalidation after a publish refreshes them all. */
export const templatesKey = (...rest: unknown[]) => ['templates', ...rest];

export function useTemplates() {
  return useQuery({ queryKey: templatesKey('list'), queryFn: async () => data(await api.GET('/api/v1/templates')).items });
}

export function useVersions(key: string | null) {
  return useQuery({
    queryKey: templatesKey(key, 'versions'),
    enabled: key !== null,
    queryFn: async () => data(await api.GET('/api/v1/templates/{key}/versions', { params: { path: { key: key ?? '' } } })).items,
  });
}

export function useVersion(key: string | null, version: number | null, keepPrevious = false) {
  return useQuery({
    placeholderData: keepPrevious ? (previous: VersionView | undefined) => previous : undefined,
    queryKey: templatesKey(key, 'version', version),
    enabled: key !== null && version !== null,
    staleTime: Infinity, // a published version never changes
    queryFn: async () =>
      data(await api.GET('/api/v1/templates/{key}', { params: { path: { key: key ?? '' }, query: { version: version ?? 1 } } })),
  });
}

const PAGE = 500;

/** The releases of every application running under the template, grouped by the version each is pinned to. */
export function useReleasesByVersion(key: string | null) {
  return useQuery({
    queryKey: templatesKey(key, 'releases'),
    enabled: key !== null,
    queryFn: async () => {
      const apps = data(await api.GET('/api/v1/applications')).items.filter((a) => a.template.key === key);
      const byVersion = new Map<number, PinnedRelease[]>();
      for (const app of apps) {
        for (let offset = 0; ; offset += PAGE) {
          const page = data(await api.GET('/api/v1/releases', { params: { query: { app: app.key, limit: PAGE, offset } } }));
          for (const r of page.items) {
            if (r.template.key !== key) continue;
            byVersion.set(r.template.version, [...(byVersion.get(r.template.version) ?? []), r]);
          }
          if (offset + page.items.length >= page.total || page.items.length === 0) break;
        }
      }
      return byVersion;
    },
  });
}
