import { useQuery } from '@tanstack/react-query';
import { api, data } from '../../api/client';
import type { ReleaseDetail } from './queries';

export type Named = { id: string; name: string };
export type TemplateLists = {
  environments: Named[];
  failureCauses: (Named & { needsNewPackage: boolean })[];
  issueCategories: Named[];
  workItemKinds: Named[];
  mailTemplates: Named[];
};

const named = (v: unknown): Named[] =>
  Array.isArray(v)
    ? v.flatMap((e: unknown) => {
        if (!e || typeof e !== 'object') return [];
        const { id, name } = e as { id?: unknown; name?: unknown };
        return typeof id === 'string' ? [{ id, name: typeof name === 'string' ? name : id }] : [];
      })
    : [];

/** The lists of the release's process template version that the release's forms offer (environments, causes …). */
export function useTemplateLists(release: Pick<ReleaseDetail, 'template'> | undefined) {
  const key = release?.template.key ?? '';
  const version = release?.template.version ?? 0;
  return useQuery({
    queryKey: ['template', key, version],
    enabled: !!release,
    staleTime: Infinity,
    queryFn: async (): Promise<TemplateLists> => {
      const t = data(await api.GET('/api/v1/templates/{key}', { params: { path: { key }, query: { version } } })).template;
      const causes = Array.isArray(t.failureCauses) ? (t.failureCauses as { needsNewPackage?: unknown }[]) : [];
      return {
        environments: named(t.environments),
        failureCauses: named(t.failureCauses).map((c, i) => ({ ...c, needsNewPackage: causes[i]?.needsNewPackage === true })),
        issueCategories: named(t.issueCategories),
        workItemKinds: named(t.workItemKinds),
        mailTemplates: named(t.mailTemplates),
      };
    },
  });
}

/** An environment's, cause's … name by its id (the id itself when the template does not know it). */
export const nameOf = (list: Named[] | undefined, id: string | null): string =>
  id === null ? '' : (list?.find((n) => n.id === id)?.name ?? id);
