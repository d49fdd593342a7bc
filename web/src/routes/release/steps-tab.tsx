import { Badge, Button, Group, Modal, Select, Stack, Table, Text, Textarea, Title } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { api, data } from '../../api/client';
import { fieldProblems } from '../../api/problem';
import { formText } from '../../components/form-value';
import { ProblemAlert } from '../../components/problem-alert';
import { useMe } from '../../session';
import { releaseKey, useReleaseDetail, useReleaseRef, useReleaseWrite } from './queries';
import { useReleaseTemplate, type TemplateStep } from './template';

const when = (iso: string) => new Date(iso).toLocaleString();

function useEvidence(name: string, app: string | undefined) {
  return useQuery({
    queryKey: releaseKey(name, 'evidence', app),
    queryFn: async () => data(await api.GET('/api/v1/releases/{name}/evidence', { params: { path: { name }, query: app ? { app } : {} } })),
  });
}

/** Per-channel steps (verified, deployed, confirmed, verified after deployment) and the notices to external systems (P6, P10, gate 2). */
export default function StepsTab() {
  const { name, app } = useReleaseRef();
  const release = useReleaseDetail(name, app);
  const template = useReleaseTemplate(release.data?.template);
  const evidence = useEvidence(name, app);
  const { session, can } = useMe();
  const [recording, setRecording] = useState<{ step: TemplateStep; channel: string } | null>(null);
  const [noticeOpen, setNoticeOpen] = useState(false);
  const query = app ? { app } : {};

  const record = useReleaseWrite(name, {
    mutationFn: async (body: { step: string; channel: string; note?: string }) =>
      data(await api.POST('/api/v1/releases/{name}/steps', { params: { path: { name }, query }, body })),
    onSuccess: () => setRecording(null),
  });
  const notice = useReleaseWrite(name, {
    mutationFn: async (body: { system: string; means: 'phone' | 'meeting' | 'other'; note: string }) =>
      data(await api.POST('/api/v1/releases/{name}/notifications', { params: { path: { name }, query }, body })),
    onSuccess: () => setNoticeOpen(false),
  });

  if (release.error || template.error || evidence.error)
    return <ProblemAlert error={release.error ?? template.error ?? evidence.error} title="The steps could not be shown" />;
  if (!release.data || !template.data || !evidence.data) return <p role="status">Loading steps…</p>;
  const r = release.data;
  const t = template.data;
  const ev = evidence.data;
  const channelName = (id: string) => t.channels.find((c) => c.id === id)?.name ?? id;
  const roleName = (id: string) => t.roles.find((x) => x.id === id)?.name ?? id;
  const mine = (roles: string[]) => roles.some((x) => session.user.roles.includes(x));

  const submitStep = (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    if (!recording) return;
    const note = formText(new FormData(e.currentTarget), 'note').trim();
    record.mutate({ step: recording.step.id, channel: recording.channel, ...(note ? { note } : {}) });
  };
  const submitNotice = (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const f = new FormData(e.currentTarget);
    notice.mutate({
      system: formText(f, 'system'),
      means: formText(f, 'means') as 'phone' | 'meeting' | 'other',
      note: formText(f, 'note'),
    });
  };

  return (
    <Stack>
      <Title order={2}>Steps</Title>
      <Text size="sm">
        Each channel's steps, recorded by the roles the template names for them. A step recorded for a package is tied to the package
        version current when it was recorded.
      </Text>
      <ProblemAlert error={record.error} title="The step was not recorded" />
      <Table aria-label="Steps per channel" striped withTableBorder>
        <Table.Thead>
          <Table.Tr>
            <Table.Th scope="col">Step</Table.Th>
            <Table.Th scope="col">Channel</Table.Th>
            <Table.Th scope="col">Recorded</Table.Th>
            <Table.Th scope="col">Who may record it</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {t.steps.flatMap((step) =>
            r.channels.map((channel) => {
              const roles = step.roles[channel] ?? [];
              const done = ev.steps.filter((s) => s.step === step.id && s.channel === channel);
              return (
                <Table.Tr key={`${step.id}/${channel}`}>
                  <Table.Th scope="row">{step.name}</Table.Th>
                  <Table.Td>{channelName(channel)}</Table.Td>
                  <Table.Td>
                    {done.length === 0 ? (
                      <Text size="sm">not yet</Text>
                    ) : (
                      done.map((s) => (
                        <Text size="sm" key={s.id}>
                          by {s.recordedBy} at {when(s.recordedAt)}
                          {s.packageVersion !== null ? ` (package v${s.packageVersion})` : ''}
                          {s.note ? `: ${s.note}` : ''}
                        </Text>
                      ))
                    )}
                  </Table.Td>
                  <Table.Td>
                    {roles.length > 0 && mine(roles) ? (
                      <Button
                        size="xs"
                        variant="light"
                        onClick={() => setRecording({ step, channel })}
                        aria-label={`Record "${step.name}" for ${channelName(channel)}`}
                      >
                        Record
                      </Button>
                    ) : (
                      <Text size="sm">{roles.map(roleName).join(', ') || 'no role'}</Text>
                    )}
                  </Table.Td>
                </Table.Tr>
              );
            }),
          )}
        </Table.Tbody>
      </Table>

      <Group justify="space-between" mt="md">
        <Title order={2}>External systems notified</Title>
        {can('notification.record') && t.externalSystems.length > 0 && <Button onClick={() => setNoticeOpen(true)}>Record a notice</Button>}
      </Group>
      <Text size="sm">
        A notice sent by relman's mail counts once the mail server accepts it; a notice by phone or in a meeting is recorded with a note.
      </Text>
      {ev.notifications.length === 0 ? (
        <Text>No system has been notified yet.</Text>
      ) : (
        <Table aria-label="Notices to external systems" withTableBorder>
          <Table.Thead>
            <Table.Tr>
              <Table.Th scope="col">System</Table.Th>
              <Table.Th scope="col">Status</Table.Th>
              <Table.Th scope="col">What it proves</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {ev.notifications.map((n) => (
              <Table.Tr key={n.id}>
                <Table.Th scope="row">{t.externalSystems.find((s) => s.id === n.system)?.name ?? n.system}</Table.Th>
                <Table.Td>
                  <Badge color={n.status === 'notified' ? 'green.9' : n.status === 'failed' ? 'red.9' : 'gray.8'} variant="light">
                    {n.status}
                  </Badge>
                </Table.Td>
                <Table.Td>
                  {n.summary}
                  {n.outcome ? ` — ${n.outcome}` : ''}
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      )}

      <Modal opened={recording !== null} onClose={() => setRecording(null)} title={recording ? `Record: ${recording.step.name}` : ''}>
        {recording && (
          <form onSubmit={submitStep}>
            <Stack>
              <Text size="sm">Channel: {channelName(recording.channel)}</Text>
              <ProblemAlert error={record.error} title="The step was not recorded" />
              <Textarea name="note" label="Note (optional)" autosize minRows={2} error={fieldProblems(record.error, 'note')} />
              <Group justify="flex-end">
                <Button variant="default" onClick={() => setRecording(null)}>
                  Cancel
                </Button>
                <Button type="submit" loading={record.isPending}>
                  Record step
                </Button>
              </Group>
            </Stack>
          </form>
        )}
      </Modal>
      <Modal opened={noticeOpen} onClose={() => setNoticeOpen(false)} title="Record a notice to an external system">
        <form onSubmit={submitNotice}>
          <Stack>
            <ProblemAlert error={notice.error} title="The notice was not recorded" />
            <Select
              name="system"
              label="System"
              required
              data={t.externalSystems.map((s) => ({ value: s.id, label: s.name }))}
              defaultValue={t.externalSystems[0]?.id ?? null}
              allowDeselect={false}
            />
            <Select
              name="means"
              label="How"
              required
              data={[
                { value: 'phone', label: 'By phone' },
                { value: 'meeting', label: 'In a meeting' },
                { value: 'other', label: 'Otherwise' },
              ]}
              defaultValue="phone"
              allowDeselect={false}
            />
            <Textarea
              name="note"
              label="Who was told, and what"
              required
              autosize
              minRows={2}
              error={fieldProblems(notice.error, 'note')}
            />
            <Group justify="flex-end">
              <Button variant="default" onClick={() => setNoticeOpen(false)}>
                Cancel
              </Button>
              <Button type="submit" loading={notice.isPending}>
                Record notice
              </Button>
            </Group>
          </Stack>
        </form>
      </Modal>
    </Stack>
  );
}
