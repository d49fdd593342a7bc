import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, data } from '../api/client';
import type { paths } from '../api/schema';

export type Cycle = paths['/api/v1/cycles']['get']['responses']['200']['content']['application/json']['items'][number];
export type Blackout = paths['/api/v1/blackouts']['get']['responses']['200']['content']['application/json']['items'][number];
export type Conflict = paths['/api/v1/calendar/conflicts']['get']['responses']['200']['content']['application/json']['items'][number];
export type MyTask = paths['/api/v1/checklist']['get']['responses']['200']['content']['application/json'][number];
export type MovePreview = paths['/api/v1/cycles/{date}/move-preview']['get']['responses']['200']['content']['application/json'];

/** Every calendar query starts with this key, so one invalidation after a write refreshes the page. */
export const CALENDAR_KEY = ['calendar'] as const;

export function useCalendarRange(from: string, to: string) {
  const cycles = useQuery({
    queryKey: [...CALENDAR_KEY, 'cycles', from, to],
    queryFn: async () => data(await api.GET('/api/v1/cycles', { params: { query: { from, to } } })).items,
  });
  const blackouts = useQuery({
    queryKey: [...CALENDAR_KEY, 'blackouts', from, to],
    queryFn: async () => data(await api.GET('/api/v1/blackouts', { params: { query: { from, to } } })).items,
  });
  const tasks = useQuery({
    queryKey: [...CALENDAR_KEY, 'my-tasks'],
    queryFn: async () => data(await api.GET('/api/v1/checklist', { params: { query: { mine: 'true' } } })),
  });
  const conflicts = useQuery({
    queryKey: [...CALENDAR_KEY, 'conflicts', from, to],
    queryFn: async () => data(await api.GET('/api/v1/calendar/conflicts', { params: { query: { from, to } } })).items,
  });
  return { cycles, blackouts, tasks, conflicts };
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
