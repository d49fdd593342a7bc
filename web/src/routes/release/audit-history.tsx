import { Stack, Table, Text, Title } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { api, data } from '../../api/client';
import { ProblemAlert } from '../../components/problem-alert';
import { releaseKey } from './queries';
import { when } from './tests-evidence';

/** Every transition the release went through, newest first, with who took it and why. */
export function TransitionHistory({ name, app }: { name: string; app: string | undefined }) {
  const history = useQuery({
    queryKey: releaseKey(name, 'history', app),
    queryFn: async () => data(await api.GET('/api/v1/releases/{name}/history', { params: { path: { name }, query: app ? { app } : {} } })),
  });
  if (history.error) return <ProblemAlert error={history.error} title="The transition history could not be shown" />;
  const rows = [...(history.data ?? [])].reverse();
  return (
    <Stack>
      <Title order={2}>Transitions</Title>
      {history.isPending ? (
        <p role="status">Loading…</p>
      ) : rows.length === 0 ? (
        <Text>The release has not moved from its first state.</Text>
      ) : (
        <Table striped aria-label={`Transitions of ${name}, newest first`}>
          <Table.Thead>
            <Table.Tr>
              <Table.Th scope="col">When</Table.Th>
              <Table.Th scope="col">Transition</Table.Th>
              <Table.Th scope="col">From → to</Table.Th>
              <Table.Th scope="col">By</Table.Th>
              <Table.Th scope="col">Comment</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {rows.map((t) => (
              <Table.Tr key={t.id}>
                <Table.Td>{when(t.performedAt)}</Table.Td>
                <Table.Td>{t.transition}</Table.Td>
                <Table.Td>
                  {t.from} → {t.to}
                </Table.Td>
                <Table.Td>{t.performedBy}</Table.Td>
                <Table.Td>{t.comment}</Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      )}
    </Stack>
  );
}
