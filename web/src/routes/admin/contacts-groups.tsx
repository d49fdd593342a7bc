import { Button, Group, Modal, Paper, Stack, Table, Text, TextInput, Title } from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import type { paths } from '../../api/schema';
import { api, data } from '../../api/client';
import { fieldProblems } from '../../api/problem';
import { formText } from '../../components/form-value';
import { ProblemAlert } from '../../components/problem-alert';

const GROUPS_KEY = ['contacts', 'groups'] as const;

type DistributionGroup = paths['/api/v1/groups']['get']['responses'][200]['content']['application/json'][number];

/** Changes a group's name, address and description; its key stays. */
function EditGroupDialog({ group, onClose }: { group: DistributionGroup; onClose: () => void }) {
  const qc = useQueryClient();
  const save = useMutation({
    mutationFn: async (body: { name: string; email: string; description: string }) =>
      data(await api.PATCH('/api/v1/groups/{key}', { params: { path: { key: group.key }, query: {} }, body })),
    onSuccess: async () => {
      onClose();
      await qc.invalidateQueries({ queryKey: GROUPS_KEY });
    },
  });
  const submit = (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const f = new FormData(e.currentTarget);
    save.mutate({
      name: formText(f, 'name').trim(),
      email: formText(f, 'email').trim(),
      description: formText(f, 'description').trim(),
    });
  };
  return (
    <Modal opened onClose={onClose} closeButtonProps={{ 'aria-label': 'Dismiss the dialog' }} title={`Edit the group ${group.key}`}>
      <form onSubmit={submit} aria-label={`Edit the group ${group.key}`} noValidate>
        <Stack gap="xs">
          <ProblemAlert error={save.error} title="Group not changed" />
          <TextInput name="name" label="Group name" required defaultValue={group.name} error={fieldProblems(save.error, 'name')} />
          <TextInput
            name="email"
            type="email"
            label="Group e-mail"
            required
            defaultValue={group.email}
            error={fieldProblems(save.error, 'email')}
          />
          <TextInput
            name="description"
            label="Description"
            defaultValue={group.description}
            error={fieldProblems(save.error, 'description')}
          />
          <Group justify="flex-end">
            <Button variant="default" onClick={onClose}>
              Cancel
            </Button>
            <Button type="submit" loading={save.isPending}>
              Save group
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}

/** Distribution groups: addresses mail templates reach as group:<key>. */
export function DistributionGroups({ canManage }: { canManage: boolean }) {
  const qc = useQueryClient();
  const [editing, setEditing] = useState<DistributionGroup | null>(null);
  const groups = useQuery({ queryKey: GROUPS_KEY, queryFn: async () => data(await api.GET('/api/v1/groups', { params: { query: {} } })) });
  const done = () => qc.invalidateQueries({ queryKey: GROUPS_KEY });
  const add = useMutation({
    mutationFn: async (body: { key: string; name: string; email: string; description?: string }) =>
      data(await api.POST('/api/v1/groups', { params: { query: {} }, body })),
    onSuccess: done,
  });
  const remove = useMutation({
    mutationFn: async (key: string) => {
      data(await api.DELETE('/api/v1/groups/{key}', { params: { path: { key }, query: {} } }));
    },
    onSuccess: done,
  });
  const submit = (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const form = e.currentTarget;
    const f = new FormData(form);
    const description = formText(f, 'description').trim();
    add.mutate(
      {
        key: formText(f, 'key').trim(),
        name: formText(f, 'name').trim(),
        email: formText(f, 'email').trim(),
        ...(description ? { description } : {}),
      },
      { onSuccess: () => form.reset() },
    );
  };
  const list = groups.data ?? [];
  return (
    <Stack>
      <Title order={2}>Distribution groups</Title>
      <Text>Group addresses that mail templates send to as group:&lt;key&gt;.</Text>
      {groups.error && <ProblemAlert error={groups.error} title="Groups could not be loaded" />}
      <ProblemAlert error={remove.error} title="Group not removed" />
      {groups.isPending ? (
        <Text role="status">Loading…</Text>
      ) : list.length === 0 ? (
        <Text>No distribution groups yet.</Text>
      ) : (
        <Table aria-label="Distribution groups" striped>
          <Table.Thead>
            <Table.Tr>
              <Table.Th>Key</Table.Th>
              <Table.Th>Name</Table.Th>
              <Table.Th>E-mail</Table.Th>
              <Table.Th>Description</Table.Th>
              {canManage && <Table.Th>Actions</Table.Th>}
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {list.map((g) => (
              <Table.Tr key={g.key}>
                <Table.Td>{g.key}</Table.Td>
                <Table.Td>{g.name}</Table.Td>
                <Table.Td>{g.email}</Table.Td>
                <Table.Td>{g.description || '—'}</Table.Td>
                {canManage && (
                  <Table.Td>
                    <Group gap="xs" wrap="nowrap">
                      <Button size="compact-sm" variant="default" onClick={() => setEditing(g)} aria-label={`Edit the group ${g.key}`}>
                        Edit
                      </Button>
                      <Button
                        size="compact-sm"
                        variant="default"
                        color="red"
                        onClick={() => remove.mutate(g.key)}
                        aria-label={`Remove group ${g.key}`}
                      >
                        Remove
                      </Button>
                    </Group>
                  </Table.Td>
                )}
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      )}
      {canManage && editing && <EditGroupDialog key={editing.key} group={editing} onClose={() => setEditing(null)} />}
      {canManage && (
        <Paper withBorder p="sm">
          <form onSubmit={submit} aria-label="Add a distribution group">
            <Stack gap="xs">
              <Title order={3} size="h5">
                Add a distribution group
              </Title>
              <ProblemAlert error={add.error} title="Group not added" />
              <Group align="flex-start">
                <TextInput name="key" label="Key" required error={fieldProblems(add.error, 'key')} />
                <TextInput name="name" label="Group name" required error={fieldProblems(add.error, 'name')} />
                <TextInput name="email" type="email" label="Group e-mail" required error={fieldProblems(add.error, 'email')} />
                <TextInput name="description" label="Description" error={fieldProblems(add.error, 'description')} />
                <Button type="submit" loading={add.isPending} mt={25}>
                  Add group
                </Button>
              </Group>
            </Stack>
          </form>
        </Paper>
      )}
    </Stack>
  );
}
