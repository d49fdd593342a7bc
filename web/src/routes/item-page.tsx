import { Anchor, Badge, Group, Paper, Stack, Table, Text, Title } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { Link, useParams } from 'react-router';
import { api, data } from '../api/client';
import type { paths } from '../api/schema';
import { ProblemAlert } from '../components/problem-alert';
import { usePageTitle } from '../components/page-title';
import { nameOf, useTemplateChoices, type TemplateChoices } from '../components/releases-template';

type ItemDetail = paths['/api/v1/items/{key}']['get']['responses'][200]['content']['application/json'];
type ItemHistory = paths['/api/v1/items/{key}/history']['get']['responses'][200]['content']['application/json'];

const releaseLink = (name: string, section = '') => (
  <Anchor component={Link} to={`/releases/${encodeURIComponent(name)}${section ? `/${section}` : ''}`}>
    {name}
  </Anchor>
);
const when = (iso: string) => new Date(iso).toLocaleString();

export default function ItemPage() {
  const { key = '' } = useParams();
  usePageTitle(key);
  const template = useTemplateChoices();
  const item = useQuery({
    queryKey: ['items', 'detail', key],
    queryFn: async (): Promise<ItemDetail> => data(await api.GET('/api/v1/items/{key}', { params: { path: { key }, query: {} } })),
  });
  const history = useQuery({
    queryKey: ['items', 'history', key],
    queryFn: async (): Promise<ItemHistory> => data(await api.GET('/api/v1/items/{key}/history', { params: { path: { key }, query: {} } })),
  });
  const i = item.data;
  const t = template.data;

  if (item.error)
    return (
      <Stack>
        <Title order={1}>{key}</Title>
        <ProblemAlert error={item.error} title={`Work item ${key} could not be shown`} />
      </Stack>
    );
  if (!i) return <p role="status">Loading {key}…</p>;
  return (
    <Stack>
      <header>
        <Group gap="sm" align="baseline">
          <Title order={1}>
            {i.key}: {i.title}
          </Title>
          <Badge variant="light">{i.kind}</Badge>
        </Group>
        <Text size="sm" mt="xs">
          {nameOf(t?.workItemKinds, i.kind)} · help-desk reference <strong>{i.helpdeskRef}</strong> · priority{' '}
          {nameOf(t?.priorities, i.priority)} · owner {i.owner ?? 'none'} · created by {i.createdBy} on {when(i.createdAt)}
        </Text>
        <Text size="sm">Now in release: {i.release ? releaseLink(i.release, 'items') : 'none'}</Text>
      </header>
      {i.description && <Text style={{ whiteSpace: 'pre-wrap' }}>{i.description}</Text>}

      <Paper withBorder p="md" component="section" aria-labelledby="item-elements">
        <Title order={2} size="h4" id="item-elements" mb="sm">
          Elements
        </Title>
        {i.elements.length === 0 ? (
          <Text>No element is listed.</Text>
        ) : (
          <Table aria-label="Elements" striped>
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Type</Table.Th>
                <Table.Th>Name</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {i.elements.map((e) => (
                <Table.Tr key={`${e.type}/${e.name}`}>
                  <Table.Td>{nameOf(t?.elementTypes, e.type)}</Table.Td>
                  <Table.Td>
                    <code>{e.name}</code>
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        )}
      </Paper>

      <Paper withBorder p="md" component="section" aria-labelledby="item-releases">
        <Title order={2} size="h4" id="item-releases" mb="sm">
          Releases it was in
        </Title>
        <ProblemAlert error={history.error} title="The item's history could not be shown" />
        {history.data && history.data.releases.length === 0 && <Text>It has not been in a release.</Text>}
        {history.data && history.data.releases.length > 0 && (
          <Table aria-label="Releases it was in" striped>
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Release</Table.Th>
                <Table.Th>Put in</Table.Th>
                <Table.Th>Left</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {history.data.releases.map((r, n) => (
                <Table.Tr key={n}>
                  <Table.Td>
                    {releaseLink(r.release)}
                    {r.current && (
                      <Badge ml="xs" variant="light">
                        current
                      </Badge>
                    )}
                  </Table.Td>
                  <Table.Td>{when(r.from)}</Table.Td>
                  <Table.Td>{r.until ? when(r.until) : 'still in it'}</Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        )}
      </Paper>

      <TestsByEnvironment tests={i.tests} template={t} />
    </Stack>
  );
}

function TestsByEnvironment({ tests, template }: { tests: ItemDetail['tests']; template: TemplateChoices | undefined }) {
  const known = (template?.environments ?? []).map((e) => e.id);
  const seen = [...new Set(tests.map((x) => x.environment))];
  const environments = [...known.filter((e) => seen.includes(e)), ...seen.filter((e) => !known.includes(e))];
  return (
    <Paper withBorder p="md" component="section" aria-labelledby="item-tests">
      <Title order={2} size="h4" id="item-tests" mb="sm">
        Tests per environment
      </Title>
      {tests.length === 0 && <Text>No test of this item is recorded.</Text>}
      <Stack>
        {environments.map((env) => {
          const name = nameOf(template?.environments, env);
          return (
            <div key={env}>
              <Title order={3} size="h5">
                {name}
              </Title>
              <Table aria-label={`Tests in ${name}`} striped>
                <Table.Thead>
                  <Table.Tr>
                    <Table.Th>Release</Table.Th>
                    <Table.Th>Result</Table.Th>
                    <Table.Th>Cause</Table.Th>
                    <Table.Th>Packages</Table.Th>
                    <Table.Th>By</Table.Th>
                    <Table.Th>When</Table.Th>
                    <Table.Th>Notes</Table.Th>
                  </Table.Tr>
                </Table.Thead>
                <Table.Tbody>
                  {tests
                    .filter((x) => x.environment === env)
                    .map((x, n) => (
                      <Table.Tr key={n}>
                        <Table.Td>{releaseLink(x.release, 'tests')}</Table.Td>
                        <Table.Td>
                          <Text span fw={700} size="sm" c={x.result === 'failed' ? 'red.9' : undefined}>
                            {x.result}
                          </Text>
                        </Table.Td>
                        <Table.Td>{x.cause ?? '—'}</Table.Td>
                        <Table.Td>
                          {Object.entries(x.packages)
                            .map(([c, v]) => `${c} v${v}`)
                            .join(', ') || '—'}
                        </Table.Td>
                        <Table.Td>{x.recordedBy}</Table.Td>
                        <Table.Td>{when(x.recordedAt)}</Table.Td>
                        <Table.Td>{x.notes || '—'}</Table.Td>
                      </Table.Tr>
                    ))}
                </Table.Tbody>
              </Table>
            </div>
          );
        })}
      </Stack>
    </Paper>
  );
}
