import { useQuery } from '@tanstack/react-query';
import { api, data } from '../api/client';

type Named = { id: string; name: string };

/** What the list and creation pages need from the process template in force: the choices its forms offer. */
export type TemplateChoices = {
  application: string;
  nextReleaseName: string;
  states: (Named & { terminal?: boolean })[];
  releaseTypes: Named[];
  channels: Named[];
  workItemKinds: Named[];
  priorities: Named[];
  elementTypes: (Named & { channel: string })[];
  environments: (Named & { order: number })[];
  /** Release types that may be planned on a blackout with a reason. */
  blackoutOverrideTypes: string[];
};

function named<T extends Named>(v: unknown): T[] {
  return Array.isArray(v) ? (v as T[]).filter((x) => x && typeof x.id === 'string') : [];
}

/**
 * An application's template in force (the one a new release or item is created
 * under): the default application's when `key` is undefined.
 */
export function useTemplateChoices(key?: string) {
  return useQuery({
    queryKey: ['template-choices', key ?? null],
    staleTime: 5 * 60_000,
    queryFn: async (): Promise<TemplateChoices> => {
      const apps = data(await api.GET('/api/v1/applications')).items;
      const app = key === undefined ? (apps.find((a) => a.isDefault) ?? apps[0]) : apps.find((a) => a.key === key);
      if (!app) throw new Error(key === undefined ? 'no application is set up' : `no application "${key}"`);
      const t = data(await api.GET('/api/v1/templates/{key}', { params: { path: { key: app.template.key }, query: {} } })).template;
      const calendar = (t.calendar ?? {}) as { blackoutOverride?: { releaseTypes?: string[] } };
      return {
        application: app.key,
        nextReleaseName: app.nextReleaseNameExample,
        states: named(t.states),
        releaseTypes: named(t.releaseTypes),
        channels: named(t.channels),
        workItemKinds: named(t.workItemKinds),
        priorities: named(t.priorities),
        elementTypes: named(t.elementTypes),
        environments: named<Named & { order: number }>(t.environments).sort((a, b) => a.order - b.order),
        blackoutOverrideTypes: calendar.blackoutOverride?.releaseTypes ?? [],
      };
    },
  });
}

/** A template entry's name for its id (the id itself when the template no longer has it). */
export function nameOf(list: Named[] | undefined, id: string): string {
  return list?.find((x) => x.id === id)?.name ?? id;
}
