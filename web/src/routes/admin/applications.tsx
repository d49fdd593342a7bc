import { Badge, Code, Stack, Table, Text, Title } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { api, data } from '../../api/client';
import { ProblemAlert } from '../../components/problem-alert';
import { usePageTitle } from '../../components/page-title';
import { useMe } from '../../session';
import { CreateApplicationForm } from './applications-create-form';

function parameters(p: Record<string, string>): string {
  const entries = Object.entries(p);
  return entries.length ? entries.map(([k, v]) => `${k}=${v}`).join(', ') : '—';
}

export default function Page() {
  usePageTitle('Applications');
  const { permissions } = useMe();
  const apps = useQuery({ queryKey: ['applications'], queryFn: async () => data(await api.GET('/api/v1/applications')).items });
  return (
    <Stack>
      <Title order={1}>Applications</Title>
      {apps.error && <ProblemAlert error={apps.error} title="Applications could not be loaded" />}
      {apps.isPending ? (
        <Text role="status">Loading…</Text>
      ) : (
        <Table.ScrollContainer minWidth={800}>
          <Table aria-label="Applications" striped>
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Key</Table.Th>
                <Table.Th>Name</Table.Th>
                <Table.Th>Template</Table.Th>
                <Table.Th>Naming parameters</Table.Th>
                <Table.Th>Next release name</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {(apps.data ?? []).map((a) => (
                <Table.Tr key={a.key}>
                  <Table.Td>
                    {a.key}{' '}
                    {a.isDefault && (
                      <Badge variant="outline" color="blue.9">
                        default
                      </Badge>
                    )}
                  </Table.Td>
                  <Table.Td>{a.name}</Table.Td>
                  <Table.Td>
                    {a.template.key} v{a.template.version}
                  </Table.Td>
                  <Table.Td>{parameters(a.namingParameters)}</Table.Td>
                  <Table.Td>
                    <Code>{a.nextReleaseNameExample}</Code>
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      )}
      {permissions?.admin && <CreateApplicationForm />}
    </Stack>
  );
}
