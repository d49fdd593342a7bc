import { Button, Table, Text } from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, data } from '../../api/client';
import { ProblemAlert } from '../../components/problem-alert';

const when = (x: string | null) => (x ? new Date(x).toLocaleString() : '—');

type Token = { name: string; expiresAt: string | null; revokedAt: string | null };

function status(t: Token): string {
  if (t.revokedAt) return `Revoked ${when(t.revokedAt)}`;
  if (t.expiresAt && Date.parse(t.expiresAt) <= Date.now()) return 'Expired';
  return 'Active';
}

/**
 * API tokens, each revocable until revoked: the caller's own when neither `user` nor `everyone` is given,
 * one user's with `user`, or (administrators) every user's with `everyone`, with an owner column and
 * optionally only those of `owner`.
 */
export function TokensTable({
  user,
  everyone = false,
  owner = null,
  label,
}: {
  user?: string;
  everyone?: boolean;
  owner?: string | null;
  label: string;
}) {
  const qc = useQueryClient();
  const tokens = useQuery({
    // An object, so no username can collide with the list of everyone's.
    queryKey: everyone ? ['tokens', { all: true }] : ['tokens', user ?? ''],
    queryFn: async () =>
      data(await api.GET('/api/v1/tokens', { params: { query: everyone ? { all: 'true' } : user ? { user } : {} } })).items,
  });
  const revoke = useMutation({
    mutationFn: async (id: string) => data(await api.DELETE('/api/v1/tokens/{id}', { params: { path: { id } } })),
    onSuccess: () => qc.invalidateQueries({ queryKey: ['tokens'] }),
  });
  if (tokens.isPending) return <Text role="status">Loading tokens…</Text>;
  if (tokens.error) return <ProblemAlert error={tokens.error} title="Tokens could not be loaded" />;
  const shown = everyone && owner ? tokens.data.filter((t) => t.user === owner) : tokens.data;
  if (shown.length === 0) return <Text>No API tokens.</Text>;
  return (
    <>
      <ProblemAlert error={revoke.error} title="Token not revoked" />
      <Table.ScrollContainer minWidth={700}>
        <Table aria-label={label} striped>
          <Table.Thead>
            <Table.Tr>
              {everyone && <Table.Th>Owner</Table.Th>}
              <Table.Th>Name</Table.Th>
              <Table.Th>Created</Table.Th>
              <Table.Th>Expires</Table.Th>
              <Table.Th>Last used</Table.Th>
              <Table.Th>Status</Table.Th>
              <Table.Th>Actions</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {shown.map((t) => (
              <Table.Tr key={t.id}>
                {everyone && <Table.Td>{t.user}</Table.Td>}
                <Table.Td>{t.name}</Table.Td>
                <Table.Td>{when(t.createdAt)}</Table.Td>
                <Table.Td>{t.expiresAt ? when(t.expiresAt) : 'never'}</Table.Td>
                <Table.Td>{when(t.lastUsedAt)}</Table.Td>
                <Table.Td>{status(t)}</Table.Td>
                <Table.Td>
                  {!t.revokedAt && (
                    <Button
                      size="compact-sm"
                      variant="default"
                      color="red"
                      loading={revoke.isPending && revoke.variables === t.id}
                      onClick={() => revoke.mutate(t.id)}
                      aria-label={everyone ? `Revoke ${t.name} of ${t.user}` : `Revoke ${t.name}`}
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
