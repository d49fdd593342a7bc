import { useQuery } from '@tanstack/react-query';
import { api, data } from '../../api/client';

type Named = { id: string; name: string };

function named(v: unknown): Named[] {
  return Array.isArray(v) ? (v as Named[]).filter((x) => x && typeof x.id === 'string' && typeof x.name === 'string') : [];
}

/** The roles and external systems of the default application's template in force: what users and contacts refer to. */
export function useTemplateRoles() {
  return useQuery({
    queryKey: ['template-roles'],
    staleTime: 5 * 60_000,
    queryFn: async () => {
      const apps = data(await api.GET('/api/v1/applications')).items;
      const app = apps.find((a) => a.isDefault) ?? apps[0];
      if (!app) return { roles: [] as Named[], systems: [] as Named[] };
      const t = data(await api.GET('/api/v1/templates/{key}', { params: { path: { key: app.template.key }, query: {} } })).template;
      return { roles: named(t.roles), systems: named(t.externalSystems) };
    },
  });
}

/** Options for a Select/MultiSelect: "Name (id)". */
export function roleOptions(list: Named[] | undefined): { value: string; label: string }[] {
  return (list ?? []).map((r) => ({ value: r.id, label: r.name === r.id ? r.id : `${r.name} (${r.id})` }));
}
