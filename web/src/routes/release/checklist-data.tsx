import { useQuery } from '@tanstack/react-query';
import { api, data } from '../../api/client';
import type { paths } from '../../api/schema';
import { releaseKey } from './queries';

export type Checklist = paths['/api/v1/releases/{name}/checklist']['get']['responses'][200]['content']['application/json'];
export type Task = Checklist['tasks'][number];

export function useChecklist(name: string, app: string | undefined) {
  return useQuery({
    queryKey: releaseKey(name, 'checklist', app),
    queryFn: async (): Promise<Checklist> =>
      data(await api.GET('/api/v1/releases/{name}/checklist', { params: { path: { name }, query: app ? { app } : {} } })),
  });
}

/** Where a signed-in browser downloads a task's evidence file. */
export function evidenceFileUrl(name: string, app: string | undefined, task: string, fileName: string): string {
  const path = `/api/v1/releases/${encodeURIComponent(name)}/checklist/${encodeURIComponent(task)}/evidence/${encodeURIComponent(fileName)}`;
  return app ? `${path}?app=${encodeURIComponent(app)}` : path;
}
