import { useQuery } from '@tanstack/react-query';
import { api, data } from '../../api/client';

/** The parts of a process template the release pages read (the API serves the whole parsed template as a record). */
export type TemplateStep = { id: string; name: string; scope?: string; roles: Record<string, string[]> };
export type TemplateSystem = { id: string; name: string; description?: string };
export type TemplateChannel = { id: string; name: string };
/** Where a release can be deployed, and who may start a run there when (the template's `deployments`). */
export type TemplateDeployment = { environment: string; roles: string[]; states: string[]; gates: string[] };
export type TemplateEnvironment = { id: string; name: string; production: boolean };
export type ReleaseTemplate = {
  steps: TemplateStep[];
  externalSystems: TemplateSystem[];
  channels: TemplateChannel[];
  roles: { id: string; name: string }[];
  states: { id: string; name: string }[];
  environments: TemplateEnvironment[];
  deployments: TemplateDeployment[];
};

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const list = (v: unknown): Record<string, unknown>[] => (Array.isArray(v) ? v.filter(isRecord) : []);
const str = (v: unknown): string => (typeof v === 'string' ? v : '');
const strings = (v: unknown): string[] => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : []);

export function readTemplate(t: Record<string, unknown>): ReleaseTemplate {
  return {
    steps: list(t.steps).map((s) => ({
      id: str(s.id),
      name: str(s.name),
      scope: typeof s.scope === 'string' ? s.scope : undefined,
      roles: Object.fromEntries(Object.entries(isRecord(s.roles) ? s.roles : {}).map(([ch, r]) => [ch, strings(r)])),
    })),
    externalSystems: list(t.externalSystems).map((s) => ({ id: str(s.id), name: str(s.name), description: str(s.description) })),
    channels: list(t.channels).map((c) => ({ id: str(c.id), name: str(c.name) })),
    roles: list(t.roles).map((r) => ({ id: str(r.id), name: str(r.name) })),
    states: list(t.states).map((r) => ({ id: str(r.id), name: str(r.name) })),
    environments: list(t.environments).map((e) => ({ id: str(e.id), name: str(e.name), production: e.production === true })),
    deployments: list(t.deployments).map((d) => ({
      environment: str(d.environment),
      roles: strings(d.roles),
      states: strings(d.states),
      gates: strings(d.gates),
    })),
  };
}

/** The template version a release runs under (immutable once published, so cached for the session). */
export function useReleaseTemplate(ref: { key: string; version: number } | undefined) {
  return useQuery({
    queryKey: ['template', ref?.key, ref?.version],
    enabled: !!ref,
    staleTime: Infinity,
    queryFn: async () => {
      const v = data(await api.GET('/api/v1/templates/{key}', { params: { path: { key: ref!.key }, query: { version: ref!.version } } }));
      return readTemplate(v.template);
    },
  });
}
