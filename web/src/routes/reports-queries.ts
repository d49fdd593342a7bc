import { useQuery } from '@tanstack/react-query';
import { useSearchParams } from 'react-router';
import { api, data } from '../api/client';
import type { paths } from '../api/schema';

export type Triage = paths['/api/v1/reports/triage']['get']['responses'][200]['content']['application/json'];
export type Delivery = paths['/api/v1/reports/delivery']['get']['responses'][200]['content']['application/json'];

/** The period in the address (`?from=&to=`); absent dates leave the server's default. */
export function usePeriod(): { from?: string; to?: string; set(p: { from: string; to: string }): void } {
  const [params, setParams] = useSearchParams();
  const from = params.get('from') || undefined;
  const to = params.get('to') || undefined;
  return {
    ...(from ? { from } : {}),
    ...(to ? { to } : {}),
    set: (p) => {
      const next = new URLSearchParams(params);
      for (const k of ['from', 'to'] as const) {
        if (p[k]) next.set(k, p[k]);
        else next.delete(k);
      }
      setParams(next);
    },
  };
}

export function useTriage(from?: string, to?: string) {
  return useQuery({
    queryKey: ['reports', 'triage', from ?? '', to ?? ''],
    queryFn: async (): Promise<Triage> => data(await api.GET('/api/v1/reports/triage', { params: { query: { from, to } } })),
  });
}

export function useDelivery(from?: string, to?: string) {
  return useQuery({
    queryKey: ['reports', 'delivery', from ?? '', to ?? ''],
    queryFn: async (): Promise<Delivery> => data(await api.GET('/api/v1/reports/delivery', { params: { query: { from, to } } })),
  });
}

export const releasePath = (name: string) => `/releases/${encodeURIComponent(name)}`;

export const hours = (h: number | null | undefined): string => (h === null || h === undefined ? '—' : `${h.toFixed(1)} h`);
