import { useQuery } from '@tanstack/react-query';
import { api, data } from '../../api/client';
import type { paths } from '../../api/schema';
import { releaseKey } from './queries';

export type ReleaseEvidence = paths['/api/v1/releases/{name}/evidence']['get']['responses'][200]['content']['application/json'];
export type TestAttempt = ReleaseEvidence['tests'][number];
export type Issue = ReleaseEvidence['issues'][number];

/** Everything recorded on the release (tests, issues …), one request for the whole page. */
export function useReleaseEvidence(name: string, app: string | undefined) {
  return useQuery({
    queryKey: releaseKey(name, 'evidence', app),
    queryFn: async (): Promise<ReleaseEvidence> =>
      data(await api.GET('/api/v1/releases/{name}/evidence', { params: { path: { name }, query: app ? { app } : {} } })),
  });
}

/** Test attempts by item key, then by environment, oldest first (as the API lists them). */
export function testsByItem(tests: TestAttempt[] | undefined): Map<string, Map<string, TestAttempt[]>> {
  const byItem = new Map<string, Map<string, TestAttempt[]>>();
  for (const t of tests ?? []) {
    let envs = byItem.get(t.item);
    if (!envs) {
      envs = new Map<string, TestAttempt[]>();
      byItem.set(t.item, envs);
    }
    const list = envs.get(t.environment);
    if (list) list.push(t);
    else envs.set(t.environment, [t]);
  }
  return byItem;
}

/** "database v2, web v1" */
export const packagesText = (p: Record<string, number>): string =>
  Object.entries(p)
    .map(([ch, v]) => `${ch} v${v}`)
    .join(', ');

export const when = (iso: string | null): string => (iso ? new Date(iso).toLocaleString() : '');
