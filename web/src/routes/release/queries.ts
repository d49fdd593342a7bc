import { useMutation, useQuery, useQueryClient, type UseMutationOptions } from '@tanstack/react-query';
import { useParams, useSearchParams } from 'react-router';
import { api, data } from '../../api/client';
import type { paths } from '../../api/schema';

export type ReleaseDetail = paths['/api/v1/releases/{name}']['get']['responses'][200]['content']['application/json'];

/** The release a page under /releases/:name is about, and its application when not the default one. */
export function useReleaseRef(): { name: string; app: string | undefined } {
  const { name = '' } = useParams();
  const [params] = useSearchParams();
  return { name, app: params.get('app') ?? undefined };
}

/**
 * Every query about one release has a key starting `['release', name]`, so one
 * invalidation refreshes all of it (after a write, or when someone else changed it).
 */
export const releaseKey = (name: string, ...rest: unknown[]) => ['release', name, ...rest] as const;

export function useReleaseDetail(name: string, app: string | undefined) {
  return useQuery({
    queryKey: releaseKey(name, 'detail', app),
    queryFn: async (): Promise<ReleaseDetail> =>
      data(await api.GET('/api/v1/releases/{name}', { params: { path: { name }, query: app ? { app } : {} } })),
  });
}

/** The mails about a release, newest first (its E-mails section, and the evidence a checklist task may cite). */
export function useReleaseMails(name: string, app: string | undefined, enabled = true) {
  return useQuery({
    queryKey: releaseKey(name, 'mail', app),
    enabled,
    queryFn: async () => data(await api.GET('/api/v1/mail', { params: { query: { release: name, limit: 500, ...(app ? { app } : {}) } } })),
  });
}

/** A write about a release: on success, everything shown about the release is fetched again. */
export function useReleaseWrite<TVars, TResult>(name: string, options: UseMutationOptions<TResult, Error, TVars>) {
  const qc = useQueryClient();
  return useMutation<TResult, Error, TVars>({
    ...options,
    onSettled: async (...args) => {
      await qc.invalidateQueries({ queryKey: releaseKey(name) });
      await options.onSettled?.(...args);
    },
  });
}
