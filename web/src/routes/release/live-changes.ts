import { useQuery } from '@tanstack/react-query';
import { api, data } from '../../api/client';
import type { paths } from '../../api/schema';
import { releaseKey } from './queries';

export type ReleaseChanges = paths['/api/v1/releases/{name}/changes']['get']['responses'][200]['content']['application/json'];
export type LastChange = NonNullable<ReleaseChanges['lastChange']>;

/**
 * The release's version and its latest change (who, what, when). Polled while
 * the page is visible, so a change made elsewhere shows within seconds; the
 * key is under releaseKey(name) so a write of this tab refreshes it too.
 */
export function useReleaseChanges(name: string, app: string | undefined, pollMs: number | false = false) {
  return useQuery({
    queryKey: releaseKey(name, 'changes', app),
    queryFn: async (): Promise<ReleaseChanges> =>
      data(await api.GET('/api/v1/releases/{name}/changes', { params: { path: { name }, query: app ? { app } : {} } })),
    refetchInterval: pollMs,
    refetchIntervalInBackground: false,
  });
}

/** "carol: approved at-signoff (07/12/2026, 18:02:11)" */
export function describeChange(c: LastChange): string {
  return `${c.actor}: ${c.summary} (${new Date(c.at).toLocaleString()})`;
}
