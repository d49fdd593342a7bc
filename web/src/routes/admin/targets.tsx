import { Alert, Button, Code, Group, Modal, Stack, Table, Text, Title } from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { api, data } from '../../api/client';
import { ProblemAlert } from '../../components/problem-alert';
import { usePageTitle } from '../../components/page-title';
import { useMe } from '../../session';
import { TARGETS_KEY, TargetFormModal, type TargetView } from './targets-form';

function when(iso: string): string {
  return new Date(iso).toLocaleString();
}

function secretText(t: TargetView): string {
  if (!t.secret) return 'none';
  const kind = t.secret.kind === 'private-key' ? 'private key' : 'password';
  return `${kind}, set by ${t.secret.setBy} at ${when(t.secret.setAt)}`;
}

function RemoveTargetModal({ target, onClose }: { target: TargetView; onClose: () => void }) {
  const qc = useQueryClient();
  const remove = useMutation({
    mutationFn: async () => {
      data(
        await api.DELETE('/api/v1/targets/{environment}/{channel}', {
          params: { path: { environment: target.environment, channel: target.channel }, query: {} },
        }),
      );
    },
    onSuccess: async () => {
      await qc.invalidateQueries({ queryKey: TARGETS_KEY });
      onClose();
    },
  });
  return (
    <Modal
      opened
      onClose={onClose}
      closeButtonProps={{ 'aria-label': 'Dismiss the dialog' }}
      title={`Remove the target ${target.environment} / ${target.channel}?`}
    >
      <Stack>
        <ProblemAlert error={remove.error} title="Target not removed" />
        <Text>Its SFTP location, stored secret and command steps are deleted.</Text>
        <Group>
          <Button color="red.9" onClick={() => remove.mutate()} loading={remove.isPending}>
            Remove target
          </Button>
          <Button variant="default" onClick={onClose}>
            Cancel
          </Button>
        </Group>
      </Stack>
    </Modal>
  );
}

function TargetsTable() {
  const targets = useQuery({
    queryKey: TARGETS_KEY,
    queryFn: async () => data(await api.GET('/api/v1/targets', { params: { query: {} } })),
  });
  const [editing, setEditing] = useState<TargetView | 'new' | null>(null);
  const [removing, setRemoving] = useState<TargetView | null>(null);
  return (
    <Stack>
      <Group>
        <Button onClick={() => setEditing('new')}>New target</Button>
      </Group>
      {targets.isPending ? (
        <Text role="status">Loading deployment targets…</Text>
      ) : targets.error ? (
        <ProblemAlert error={targets.error} title="Deployment targets could not be loaded" />
      ) : targets.data.length === 0 ? (
        <Text>No deployment targets yet.</Text>
      ) : (
        <Table.ScrollContainer minWidth={1000}>
          <Table aria-label="Deployment targets" striped>
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Environment</Table.Th>
                <Table.Th>Channel</Table.Th>
                <Table.Th>SFTP</Table.Th>
                <Table.Th>Host key fingerprint</Table.Th>
                <Table.Th>Secret</Table.Th>
                <Table.Th>Command steps</Table.Th>
                <Table.Th>Updated</Table.Th>
                <Table.Th>Actions</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {targets.data.map((t) => (
                <Table.Tr key={`${t.environment}/${t.channel}`}>
                  <Table.Td>{t.environment}</Table.Td>
                  <Table.Td>{t.channel}</Table.Td>
                  <Table.Td>
                    {t.sftp ? (
                      <>
                        <Code>
                          {t.sftp.username}@{t.sftp.host}:{t.sftp.port}
                        </Code>{' '}
                        <Code>{t.sftp.directory}</Code>
                      </>
                    ) : (
                      'none'
                    )}
                  </Table.Td>
                  <Table.Td>{t.sftp ? <Code>{t.sftp.hostKeyFingerprint}</Code> : '—'}</Table.Td>
                  <Table.Td>{secretText(t)}</Table.Td>
                  <Table.Td>{t.commands.length}</Table.Td>
                  <Table.Td>
                    {t.updatedBy}, {when(t.updatedAt)}
                  </Table.Td>
                  <Table.Td>
                    <Group gap="xs" wrap="nowrap">
                      <Button size="xs" variant="default" aria-label={`Edit ${t.environment} ${t.channel}`} onClick={() => setEditing(t)}>
                        Edit
                      </Button>
                      <Button
                        size="xs"
                        variant="default"
                        color="red.9"
                        aria-label={`Remove ${t.environment} ${t.channel}`}
                        onClick={() => setRemoving(t)}
                      >
                        Remove
                      </Button>
                    </Group>
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      )}
      {editing && (
        <TargetFormModal
          key={editing === 'new' ? 'new' : `${editing.environment}/${editing.channel}/${editing.version}`}
          target={editing === 'new' ? null : editing}
          onClose={() => setEditing(null)}
        />
      )}
      {removing && <RemoveTargetModal target={removing} onClose={() => setRemoving(null)} />}
    </Stack>
  );
}

export default function Page() {
  usePageTitle('Deployment targets');
  const { permissions } = useMe();
  return (
    <Stack>
      <Title order={1}>Deployment targets</Title>
      {!permissions ? (
        <Text role="status">Loading…</Text>
      ) : !permissions.admin ? (
        <Alert color="red" title="Administrators only" role="alert">
          Only administrators see and change deployment targets: where a release’s packages go and what runs there.
        </Alert>
      ) : (
        <>
          <Text>
            Where the default application’s releases are deployed, per environment and channel. A stored secret is never shown; saving
            without choosing a new one keeps it.
          </Text>
          <TargetsTable />
        </>
      )}
    </Stack>
  );
}
