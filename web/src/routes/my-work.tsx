import { Anchor, Badge, Group, List, Paper, SimpleGrid, Stack, Table, Text, Title } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { Link } from 'react-router';
import { api, data } from '../api/client';
import type { paths } from '../api/schema';
import { ProblemAlert } from '../components/problem-alert';
import { usePageTitle } from '../components/page-title';

type MyWork = paths['/api/v1/me/work']['get']['responses'][200]['content']['application/json'];

const releasePath = (name: string, section = '') => `/releases/${encodeURIComponent(name)}${section ? `/${section}` : ''}`;

export default function MyWorkPage() {
  usePageTitle('My work');
  const work = useQuery({
    queryKey: ['me', 'work'],
    queryFn: async (): Promise<MyWork> => data(await api.GET('/api/v1/me/work', { params: { query: {} } })),
  });
  const w = work.data;
  return (
    <Stack>
      <Title order={1}>My work</Title>
      <ProblemAlert error={work.error} title="Your work could not be shown" />
      {work.isPending && <p role="status">Loading your work…</p>}
      {w && (
        <>
          <SimpleGrid cols={{ base: 1, lg: 2 }}>
            <Tasks tasks={w.tasks} />
            <Approvals approvals={w.approvalsWaiting} />
          </SimpleGrid>
          {w.deploymentSteps.length > 0 && <DeploymentSteps steps={w.deploymentSteps} />}
          <InFlight groups={w.inFlight} />
          <SimpleGrid cols={{ base: 1, lg: 2 }}>
            <Cycles cycles={w.nextCycles} />
            <Changes changes={w.recentChanges} />
          </SimpleGrid>
        </>
      )}
    </Stack>
  );
}

function Section({ title, children }: { title: string; children: React.ReactNode }) {
  const id = `section-${title.toLowerCase().replace(/[^a-z]+/g, '-')}`;
  return (
    <Paper withBorder p="md" component="section" aria-labelledby={id}>
      <Title order={2} size="h4" id={id} mb="sm">
        {title}
      </Title>
      {children}
    </Paper>
  );
}

function Tasks({ tasks }: { tasks: MyWork['tasks'] }) {
  return (
    <Section title="My checklist tasks">
      {tasks.length === 0 ? (
        <Text>No open checklist task for your roles.</Text>
      ) : (
        <List spacing="xs" aria-label="My checklist tasks">
          {tasks.map((t) => (
            <List.Item key={`${t.release}/${t.task}`}>
              {t.overdue && (
                <Badge color="red.9" variant="filled" mr="xs">
                  Overdue
                </Badge>
              )}
              <Anchor component={Link} to={releasePath(t.release, 'checklist')}>
                {t.release}: {t.title}
              </Anchor>
              <Text span size="sm">
                {' — '}
                {t.due ? `due ${t.due}` : `due ${t.dueRule}`}
                {t.status !== 'open' ? ` (${t.statusText})` : ''}
              </Text>
            </List.Item>
          ))}
        </List>
      )}
    </Section>
  );
}

function Approvals({ approvals }: { approvals: MyWork['approvalsWaiting'] }) {
  return (
    <Section title="Approvals waiting for me">
      {approvals.length === 0 ? (
        <Text>No approval waits for a role you hold.</Text>
      ) : (
        <List spacing="xs" aria-label="Approvals waiting for me">
          {approvals.map((a) => (
            <List.Item key={`${a.release}/${a.step}`}>
              <Anchor component={Link} to={releasePath(a.release, 'approvals')}>
                {a.release}: {a.stepName}
              </Anchor>
              <Text span size="sm">
                {' — '}as {a.roles.join(' or ')}
                {a.requestedBy
                  ? `; asked for by ${a.requestedBy}${a.requestedAt ? ` on ${new Date(a.requestedAt).toLocaleString()}` : ''}`
                  : ''}
              </Text>
            </List.Item>
          ))}
        </List>
      )}
    </Section>
  );
}

function DeploymentSteps({ steps }: { steps: MyWork['deploymentSteps'] }) {
  return (
    <Section title="Deployment steps waiting for me">
      <List spacing="xs" aria-label="Deployment steps waiting for me">
        {steps.map((s) => (
          <List.Item key={`${s.release}/${s.run}/${s.step}`}>
            <Anchor component={Link} to={releasePath(s.release, 'deployments')}>
              {s.release}: {s.name}
            </Anchor>
            <Text span size="sm">
              {` — run ${s.run} to ${s.environment}`}
              {s.since ? `, waiting since ${new Date(s.since).toLocaleString()}` : ''}
              {s.escalationLevel > 0 ? `, escalated to level ${s.escalationLevel}` : ''}
            </Text>
          </List.Item>
        ))}
      </List>
    </Section>
  );
}

function InFlight({ groups }: { groups: MyWork['inFlight'] }) {
  return (
    <Section title="Releases in flight">
      {groups.length === 0 ? (
        <Text>No release is in flight.</Text>
      ) : (
        <Stack gap="md">
          {groups.map((g) => (
            <div key={g.state}>
              <Title order={3} size="h5">
                {g.stateName} ({g.releases.length})
              </Title>
              <Table aria-label={`Releases in state ${g.stateName}`} striped>
                <Table.Thead>
                  <Table.Tr>
                    <Table.Th>Release</Table.Th>
                    <Table.Th>Type</Table.Th>
                    <Table.Th>Planned</Table.Th>
                    <Table.Th>Channels</Table.Th>
                    <Table.Th>Owner</Table.Th>
                  </Table.Tr>
                </Table.Thead>
                <Table.Tbody>
                  {g.releases.map((r) => (
                    <Table.Tr key={r.name}>
                      <Table.Td>
                        <Anchor component={Link} to={releasePath(r.name)}>
                          {r.name}
                        </Anchor>
                        {r.title ? ` — ${r.title}` : ''}
                      </Table.Td>
                      <Table.Td>{r.type}</Table.Td>
                      <Table.Td>{r.plannedDate}</Table.Td>
                      <Table.Td>{r.channels.join(', ')}</Table.Td>
                      <Table.Td>{r.createdBy}</Table.Td>
                    </Table.Tr>
                  ))}
                </Table.Tbody>
              </Table>
            </div>
          ))}
        </Stack>
      )}
    </Section>
  );
}

function Cycles({ cycles }: { cycles: MyWork['nextCycles'] }) {
  return (
    <Section title="Next change cycles">
      {cycles.length === 0 ? (
        <Text>No change cycle is planned.</Text>
      ) : (
        <List spacing="xs" aria-label="Next change cycles">
          {cycles.map((c) => (
            <List.Item key={c.id}>
              <Text span fw={500}>
                {c.date}
              </Text>
              {c.title ? ` ${c.title}` : ''}
              {c.releases.length === 0 ? (
                <Text span size="sm">
                  {' — '}nothing booked yet
                </Text>
              ) : (
                <Group gap="xs" component="span" ml="xs" display="inline-flex">
                  {c.releases.map((r) => (
                    <Anchor key={r.name} component={Link} to={releasePath(r.name)} size="sm">
                      {r.name} ({r.state})
                    </Anchor>
                  ))}
                </Group>
              )}
            </List.Item>
          ))}
        </List>
      )}
    </Section>
  );
}

function Changes({ changes }: { changes: MyWork['recentChanges'] }) {
  return (
    <Section title="Recent changes to my releases">
      {changes.length === 0 ? (
        <Text>Nothing changed recently on releases you created.</Text>
      ) : (
        <List spacing="xs" aria-label="Recent changes to my releases">
          {changes.map((c) => (
            <List.Item key={c.seq}>
              <Anchor component={Link} to={releasePath(c.release, 'audit')}>
                {c.release}
              </Anchor>
              {`: ${c.summary} — ${c.actor}, ${new Date(c.at).toLocaleString()}`}
            </List.Item>
          ))}
        </List>
      )}
    </Section>
  );
}
