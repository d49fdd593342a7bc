import { Anchor, Badge, Group, Stack, Table, Text, Title } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { Link, useSearchParams } from 'react-router';
import { api, data } from '../api/client';
import type { paths } from '../api/schema';
import { usePageTitle } from '../components/page-title';
import { ProblemAlert } from '../components/problem-alert';
import { RunStateBadge as StateBadge } from '../components/run-state-badge';

type Environment = paths['/api/v1/environments']['get']['responses'][200]['content']['application/json'][number];

const when = (iso: string | null): string => (iso ? new Date(iso).toLocaleString() : '');

/** Where a release's page or one of its sections is, for the application the page is about. */
function releasePath(release: string, app: string | undefined, section = ''): string {
  return `/releases/${encodeURIComponent(release)}${section ? `/${section}` : ''}${app ? `?app=${encodeURIComponent(app)}` : ''}`;
}

/** Per environment: what is installed in it now, and every deployment run to it with the planned date next to the actual one. */
export default function EnvironmentsPage() {
  usePageTitle('Environments');
  const [params] = useSearchParams();
  const app = params.get('app') || undefined;
  const envs = useQuery({
    queryKey: ['environments', app],
    queryFn: async (): Promise<Environment[]> => data(await api.GET('/api/v1/environments', { params: { query: app ? { app } : {} } })),
    refetchInterval: 15_000,
  });
  return (
    <Stack>
      <Title order={1}>Environments</Title>
      {envs.error && <ProblemAlert error={envs.error} title="The environments could not be shown" />}
      {!envs.data && !envs.error && <p role="status">Loading…</p>}
      {envs.data?.map((e) => (
        <EnvironmentSection key={e.environment} env={e} app={app} />
      ))}
    </Stack>
  );
}

function EnvironmentSection({ env, app }: { env: Environment; app: string | undefined }) {
  const headingId = `env-${env.environment}`;
  return (
    <Stack component="section" aria-labelledby={headingId} gap="xs">
      <Group gap="sm" align="baseline">
        <Title order={2} id={headingId}>
          {env.name}
        </Title>
        {env.production && (
          <Badge color="red.9" variant="filled">
            production
          </Badge>
        )}
      </Group>
      <Title order={3}>Installed now</Title>
      {env.installed.length === 0 ? (
        <Text size="sm">Nothing installed by relman yet.</Text>
      ) : (
        <Table.ScrollContainer minWidth={800}>
          <Table verticalSpacing="xs" aria-label={`Installed in ${env.name}`}>
            <Table.Thead>
              <Table.Tr>
                <Table.Th scope="col">Channel</Table.Th>
                <Table.Th scope="col">Release</Table.Th>
                <Table.Th scope="col">Package</Table.Th>
                <Table.Th scope="col">Files</Table.Th>
                <Table.Th scope="col">Since</Table.Th>
                <Table.Th scope="col">Run</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {env.installed.map((i) => (
                <Table.Tr key={i.channel}>
                  <Table.Th scope="row">{i.channel}</Table.Th>
                  <Table.Td>
                    <Anchor component={Link} to={releasePath(i.release, app)}>
                      {i.release}
                    </Anchor>
                  </Table.Td>
                  <Table.Td>v{i.version}</Table.Td>
                  <Table.Td>{i.files.join(', ') || 'no file'}</Table.Td>
                  <Table.Td>{when(i.since)}</Table.Td>
                  <Table.Td>
                    <Anchor component={Link} to={releasePath(i.release, app, 'deployments')}>
                      Run {i.run}
                    </Anchor>{' '}
                    by {i.startedBy}
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      )}
      <Title order={3}>History</Title>
      {env.history.length === 0 ? (
        <Text size="sm">No deployment run to {env.name} yet.</Text>
      ) : (
        <Table.ScrollContainer minWidth={900}>
          <Table striped verticalSpacing="xs" aria-label={`Deployment runs to ${env.name}`}>
            <Table.Thead>
              <Table.Tr>
                <Table.Th scope="col">Release</Table.Th>
                <Table.Th scope="col">Run</Table.Th>
                <Table.Th scope="col">State</Table.Th>
                <Table.Th scope="col">Started by</Table.Th>
                <Table.Th scope="col">Planned date</Table.Th>
                <Table.Th scope="col">Finished</Table.Th>
                <Table.Th scope="col">Packages</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {env.history.map((h) => (
                <Table.Tr key={`${h.release}-${h.run}`}>
                  <Table.Th scope="row" fw={400}>
                    <Anchor component={Link} to={releasePath(h.release, app)}>
                      {h.release}
                    </Anchor>
                  </Table.Th>
                  <Table.Td>
                    <Anchor component={Link} to={releasePath(h.release, app, 'deployments')}>
                      Run {h.run}
                    </Anchor>
                  </Table.Td>
                  <Table.Td>
                    <StateBadge state={h.state} />
                  </Table.Td>
                  <Table.Td>
                    <Text size="sm">{h.startedBy}</Text>
                    <Text size="xs">{when(h.startedAt)}</Text>
                  </Table.Td>
                  <Table.Td>{h.plannedDate}</Table.Td>
                  <Table.Td>{h.finishedAt ? when(h.finishedAt) : 'not finished'}</Table.Td>
                  <Table.Td>{h.packages.map((p) => `${p.channel} v${p.version}`).join(', ') || 'none'}</Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      )}
    </Stack>
  );
}
