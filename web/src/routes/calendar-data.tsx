import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, data } from '../api/client';
import type { paths } from '../api/schema';
import { useTemplateChoices } from '../components/releases-template';

export type Cycle = paths['/api/v1/cycles']['get']['responses']['200']['content']['application/json']['items'][number];
export type Blackout = paths['/api/v1/blackouts']['get']['responses']['200']['content']['application/json']['items'][number];
export type Conflict = paths['/api/v1/calendar/conflicts']['get']['responses']['200']['content']['application/json']['items'][number];
export type MyTask = paths['/api/v1/checklist']['get']['responses']['200']['content']['application/json'][number];
export type MovePreview = paths['/api/v1/cycles/{date}/move-preview']['get']['responses']['200']['content']['application/json'];

/** Every calendar query starts with this key, so one invalidation after a write refreshes the page. */
export const CALENDAR_KEY = ['calendar'] as const;

/** The application the calendar shows: its key, or undefined for the server's default application. */
export type AppKey = string | undefined;

/** `{ app }` for a calendar request, nothing for the default application. */
export const appParam = (app: AppKey): { app?: string } => (app === undefined ? {} : { app });

export function useCalendarRange(from: string, to: string, app: AppKey) {
  const cycles = useQuery({
    queryKey: [...CALENDAR_KEY, app ?? null, 'cycles', from, to],
    queryFn: async () => data(await api.GET('/api/v1/cycles', { params: { query: { from, to, ...appParam(app) } } })).items,
  });
  const blackouts = useQuery({
    queryKey: [...CALENDAR_KEY, app ?? null, 'blackouts', from, to],
    queryFn: async () => data(await api.GET('/api/v1/blackouts', { params: { query: { from, to, ...appParam(app) } } })).items,
  });
  const tasks = useQuery({
    queryKey: [...CALENDAR_KEY, app ?? null, 'my-tasks'],
    queryFn: async () => data(await api.GET('/api/v1/checklist', { params: { query: { mine: 'true', ...appParam(app) } } })),
  });
  const conflicts = useQuery({
    queryKey: [...CALENDAR_KEY, app ?? null, 'conflicts', from, to],
    queryFn: async () => data(await api.GET('/api/v1/calendar/conflicts', { params: { query: { from, to, ...appParam(app) } } })).items,
  });
  return { cycles, blackouts, tasks, conflicts };
}

/** The applications there are (the same query as the administration page's). */
export function useApplications() {
  return useQuery({ queryKey: ['applications'], queryFn: async () => data(await api.GET('/api/v1/applications')).items });
}

type Choice = { value: string; label: string };
const choice = (x: { id: string; name: string }): Choice => ({ value: x.id, label: x.name });

/** The channels and environments of the template in force for an application (the default one when undefined), as choices. */
export function useAppTemplateChoices(app: AppKey) {
  const template = useTemplateChoices(app);
  return {
    choices: template.data && { channels: template.data.channels.map(choice), environments: template.data.environments.map(choice) },
    pending: template.isPending,
    error: template.error,
  };
}

/** A calendar write: refreshes what is shown afterwards. */
export function useCalendarWrite<TVars, TResult>(mutationFn: (vars: TVars) => Promise<TResult>, onSuccess?: () => void) {
  const client = useQueryClient();
  return useMutation({
    mutationFn,
    onSuccess: async () => {
      // A move changes releases' dates and checklists too: everything shown may be stale.
      await client.invalidateQueries();
      onSuccess?.();
    },
  });
}
