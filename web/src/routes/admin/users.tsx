import { Alert, Badge, Group, Stack, Table, Text, Title } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { api, data } from '../../api/client';
import { ProblemAlert } from '../../components/problem-alert';
import { usePageTitle } from '../../components/page-title';
import { useMe } from '../../session';
import { CreateUserForm } from './users-create-form';
import { UserRowActions } from './users-row-actions';

function UsersTable() {
  const users = useQuery({ queryKey: ['users'], queryFn: async () => data(await api.GET('/api/v1/users')).items });
  if (users.isPending) return <Text role="status">Loading users…</Text>;
  if (users.error) return <ProblemAlert error={users.error} title="Users could not be loaded" />;
  return (
    <Table.ScrollContainer minWidth={800}>
      <Table aria-label="Users" striped>
        <Table.Thead>
          <Table.Tr>
            <Table.Th>Username</Table.Th>
            <Table.Th>Name</Table.Th>
            <Table.Th>E-mail</Table.Th>
            <Table.Th>Roles</Table.Th>
            <Table.Th>Status</Table.Th>
            <Table.Th>Actions</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {users.data.map((u) => (
            <Table.Tr key={u.username}>
              <Table.Td>{u.username}</Table.Td>
              <Table.Td>{u.displayName}</Table.Td>
              <Table.Td>{u.email ?? '—'}</Table.Td>
              <Table.Td>
                <Group gap={4}>
                  {u.roles.map((r) => (
                    <Badge key={r} variant="outline" color="blue.9">
                      {r}
                    </Badge>
                  ))}
                </Group>
              </Table.Td>
              <Table.Td>{u.disabled ? <Badge color="red.9">Disabled</Badge> : 'Active'}</Table.Td>
              <Table.Td>
                <UserRowActions user={u} />
              </Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </Table.ScrollContainer>
  );
}

export default function Page() {
  usePageTitle('Users');
  const { permissions } = useMe();
  return (
    <Stack>
      <Title order={1}>Users</Title>
      {!permissions ? (
        <Text role="status">Loading…</Text>
      ) : !permissions.admin ? (
        <Alert color="red" title="Administrators only" role="alert">
          Only administrators manage users. Ask an administrator to add a person or change their roles.
        </Alert>
      ) : (
        <>
          <UsersTable />
          <CreateUserForm />
        </>
      )}
    </Stack>
  );
}
