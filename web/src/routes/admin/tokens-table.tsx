import { Button, Table, Text } from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, data } from '../../api/client';
import { ProblemAlert } from '../../components/problem-alert';

const when = (x: string | null) => (x ? new Date(x).toLocaleString() : '—');

/** One user's API tokens (the caller's own when `user` is absent), each revocable until revoked. */
export function TokensTable({ user, label }: { user?: string; label: string }) {
  const qc = useQueryClient();
  const tokens = useQuery({
    queryKey: ['tokens', user ?? ''],
    queryFn: async () => data(await api.GET('/api/v1/tokens', { params: { query: user ? { user } : {} } })).items,
  });
  const revoke = useMutation({
    mutationFn: async (id: string) => data(await api.DELETE('/api/v1/tokens/{id}', { params: { path: { id } } })),
    onSuccess: () => qc.invalidateQueries({ queryKey: ['tokens'] }),
  });
  if (tokens.isPending) return <Text role="status">Loading tokens…</Text>;
  if (tokens.error) return <ProblemAlert error={tokens.error} title="Tokens could not be loaded" />;
  if (tokens.data.length === 0) return <Text>No API tokens.</Text>;
  return (
    <>
      <ProblemAlert error={revoke.error} title="Token not revoked" />
      <Table.ScrollContainer minWidth={700}>
        <Table aria-label={label} striped>
          <Table.Thead>
            <Table.Tr>
              <Table.Th>Name</Table.Th>
              <Table.Th>Created</Table.Th>
              <Table.Th>Expires</Table.Th>
              <Table.Th>Last used</Table.Th>
              <Table.Th>Status</Table.Th>
              <Table.Th>Actions</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {tokens.data.map((t) => (
              <Table.Tr key={t.id}>
                <Table.Td>{t.name}</Table.Td>
                <Table.Td>{when(t.createdAt)}</Table.Td>
                <Table.Td>{t.expiresAt ? when(t.expiresAt) : 'never'}</Table.Td>
                <Table.Td>{when(t.lastUsedAt)}</Table.Td>
                <Table.Td>{t.revokedAt ? `Revoked ${when(t.revokedAt)}` : 'Active'}</Table.Td>
                <Table.Td>
                  {!t.revokedAt && (
                    <Button
                      size="compact-sm"
                      variant="default"
                      color="red"
                      loading={revoke.isPending && revoke.variables === t.id}
                      onClick={() => revoke.mutate(t.id)}
                      aria-label={`Revoke ${t.name}`}
                    >
                      Revoke
                    </Button>
                  )}
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </Table.ScrollContainer>
    </>
  );
}
