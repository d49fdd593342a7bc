import { Stack, Text } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { api, data } from '../../api/client';
import { ProblemAlert } from '../../components/problem-alert';
import { releaseKey, useReleaseDetail, useReleaseRef } from './queries';
import { RoadList } from './road-list';
import { useTemplateFacts } from './road-template';
import type { GatesView, RoadView } from './road-types';
import { TransitionActions } from './transition-actions';

/** The road to production: what stands between the release and production, and the transitions the user may take now. */
export default function OverviewTab() {
  const { name, app } = useReleaseRef();
  const query = app ? { app } : {};
  const release = useReleaseDetail(name, app);
  const facts = useTemplateFacts(release.data);
  const road = useQuery({
    queryKey: releaseKey(name, 'road', app),
    queryFn: async (): Promise<RoadView> => data(await api.GET('/api/v1/releases/{name}/road', { params: { path: { name }, query } })),
  });
  const gates = useQuery({
    queryKey: releaseKey(name, 'gates', app),
    queryFn: async (): Promise<GatesView> => data(await api.GET('/api/v1/releases/{name}/gates', { params: { path: { name }, query } })),
  });
  const stateNames: Record<string, string> = {};
  if (road.data) {
    stateNames[road.data.state] = road.data.stateName;
    for (const s of road.data.steps) stateNames[s.to] = s.toName;
  }
  return (
    <Stack gap="lg">
      <ProblemAlert error={road.error ?? gates.error} title="The road to production could not be shown" />
      {(road.isPending || gates.isPending) && <Text role="status">Loading the road to production…</Text>}
      {gates.data && (
        <TransitionActions
          name={name}
          app={app}
          gates={gates.data}
          version={release.data?.version}
          stateNames={stateNames}
          forward={road.data?.steps[0]?.transition.id}
          facts={facts.data}
        />
      )}
      {road.data && <RoadList road={road.data} facts={facts.data} />}
    </Stack>
  );
}
