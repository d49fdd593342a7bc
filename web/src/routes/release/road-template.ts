import { useQuery } from '@tanstack/react-query';
import { api, data } from '../../api/client';
import type { ReleaseDetail } from './queries';

export type ReportDef = {
  id: string;
  name: string;
  roles: string[];
  parts: { id: string; name: string }[];
  refsRequired: boolean;
  refKinds: string[];
};
export type TemplateFacts = { roleName: (id: string) => string; stateName: (id: string) => string; reports: ReportDef[] };

const arr = (v: unknown): Record<string, unknown>[] =>
  Array.isArray(v) ? v.filter((x): x is Record<string, unknown> => typeof x === 'object' && x !== null) : [];
const str = (v: unknown): string => (typeof v === 'string' ? v : '');
const strs = (v: unknown): string[] => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : []);

/** What the release page needs of its process template version: role names and report definitions. */
export function useTemplateFacts(release: ReleaseDetail | undefined) {
  const key = release?.template.key ?? '';
  const version = release?.template.version ?? 0;
  return useQuery({
    queryKey: ['template', key, version, 'lifecycle-facts'],
    enabled: !!release,
    staleTime: Infinity,
    queryFn: async (): Promise<TemplateFacts> => {
      const t = data(await api.GET('/api/v1/templates/{key}', { params: { path: { key }, query: { version } } })).template;
      const roles = new Map(arr(t.roles).map((r) => [str(r.id), str(r.name) || str(r.id)]));
      const states = new Map(arr(t.states).map((r) => [str(r.id), str(r.name) || str(r.id)]));
      const reports = arr(t.reports).map((r): ReportDef => {
        const refs = (typeof r.helpdeskRefs === 'object' && r.helpdeskRefs !== null ? r.helpdeskRefs : {}) as Record<string, unknown>;
        return {
          id: str(r.id),
          name: str(r.name) || str(r.id),
          roles: strs(r.roles),
          parts: arr(r.parts).map((p) => ({ id: str(p.id), name: str(p.name) || str(p.id) })),
          refsRequired: refs.required === true,
          refKinds: strs(refs.kinds),
        };
      });
      return { roleName: (id) => roles.get(id) ?? id, stateName: (id) => states.get(id) ?? id, reports };
    },
  });
}

/** "Change Management Coordinator or Technical Lead" */
export function rolesText(roles: readonly string[], facts: TemplateFacts | undefined): string {
  const names = roles.map((r) => facts?.roleName(r) ?? r);
  return names.length <= 1 ? (names[0] ?? 'nobody') : `${names.slice(0, -1).join(', ')} or ${names[names.length - 1]}`;
}
