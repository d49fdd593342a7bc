import { Alert, Button, Checkbox, Group, Modal, NativeSelect, Stack, Text, Textarea, TextInput } from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { useNavigate } from 'react-router';
import { api, data } from '../api/client';
import { ProblemError } from '../api/problem';
import { ProblemAlert } from '../components/problem-alert';
import { useTemplateChoices } from '../components/releases-template';
import { listFieldProblems } from '../components/releases-url-filters';
import { useMe } from '../session';

type NewRelease = {
  type: string;
  plannedDate: string;
  channels: string[];
  title?: string;
  description?: string;
  blackoutOverrideReason?: string;
  cycle?: string;
};

/** Today as YYYY-MM-DD in the browser's time zone: the first day a cycle offered to book into may be on. */
function today(): string {
  const d = new Date();
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
}

/** The planned change cycles from today on, to book a new release into. */
function useUpcomingCycles() {
  return useQuery({
    queryKey: ['cycles', 'upcoming'],
    queryFn: async () => {
      const all = data(await api.GET('/api/v1/cycles', { params: { query: { from: today() } } })).items;
      return all.filter((c) => c.status === 'planned').slice(0, 12);
    },
  });
}

const isBlackout = (err: unknown) => err instanceof ProblemError && err.status === 409 && /:blackout$/.test(err.problem.type ?? '');

/** The form of a new release: on success the user lands on the new release's page. */
export function ReleaseCreateModal({ onClose }: { onClose: () => void }) {
  const me = useMe();
  const template = useTemplateChoices();
  const t = template.data;
  const navigate = useNavigate();
  const qc = useQueryClient();
  const [type, setType] = useState('');
  const [channels, setChannels] = useState<string[]>([]);
  const [plannedDate, setPlannedDate] = useState('');
  const [title, setTitle] = useState('');
  const [description, setDescription] = useState('');
  const [overrideReason, setOverrideReason] = useState('');
  const [cycle, setCycle] = useState('');
  const cycles = useUpcomingCycles();
  const chosenType = type || t?.releaseTypes[0]?.id || '';

  const create = useMutation({
    mutationFn: async (body: NewRelease) => data(await api.POST('/api/v1/releases', { body })),
    onSuccess: async (release) => {
      await qc.invalidateQueries({ queryKey: ['releases'] });
      await qc.invalidateQueries({ queryKey: ['me'] });
      await qc.invalidateQueries({ queryKey: ['cycles'] });
      onClose();
      void navigate(`/releases/${encodeURIComponent(release.name)}`);
    },
  });
  const blackout = isBlackout(create.error);
  const mayOverride = me.can('blackout.override') && !!t?.blackoutOverrideTypes.includes(chosenType);

  const submit = (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    create.mutate({
      type: chosenType,
      plannedDate,
      channels,
      ...(title.trim() ? { title: title.trim() } : {}),
      ...(description.trim() ? { description } : {}),
      ...(cycle ? { cycle } : {}),
      ...(blackout && mayOverride && overrideReason.trim() ? { blackoutOverrideReason: overrideReason.trim() } : {}),
    });
  };
  const problem = (field: string) => listFieldProblems(create.error, field);

  return (
    <Modal opened onClose={onClose} title="New release" size="lg">
      <form onSubmit={submit} aria-label="New release" noValidate>
        <Stack>
          {t && (
            <Text size="sm">
              Its name comes from the naming pattern of application {t.application} (next: {t.nextReleaseName}).
            </Text>
          )}
          <ProblemAlert error={template.error} title="The process template could not be read" />
          {blackout ? (
            <Alert color="red" variant="light" role="alert" title="The planned date is in a blackout">
              {(create.error as ProblemError).problem.detail}
              {mayOverride ? ' You may plan it there anyway: give the reason below and create it again.' : ' Choose another date.'}
            </Alert>
          ) : (
            <ProblemAlert error={create.error} title="The release was not created" />
          )}
          <NativeSelect
            label="Type"
            value={chosenType}
            onChange={(e) => setType(e.currentTarget.value)}
            data={(t?.releaseTypes ?? []).map((r) => ({ value: r.id, label: r.name }))}
            error={problem('type')}
            required
          />
          {(cycles.data?.length ?? 0) > 0 && (
            <NativeSelect
              label="Change cycle"
              description="Booking into a cycle plans the release on the cycle's date"
              value={cycle}
              onChange={(e) => {
                const date = e.currentTarget.value;
                setCycle(date);
                if (date) setPlannedDate(date);
              }}
              data={[
                { value: '', label: 'None: plan on the date below' },
                ...(cycles.data ?? []).map((c) => ({
                  value: c.date,
                  label: `${c.date}${c.title ? ` ${c.title}` : ''} (${c.releases.length} booked)`,
                })),
              ]}
              error={problem('cycle')}
            />
          )}
          <TextInput
            type="date"
            label="Planned date"
            value={plannedDate}
            onChange={(e) => {
              setPlannedDate(e.currentTarget.value);
              if (cycle && e.currentTarget.value !== cycle) setCycle('');
            }}
            error={problem('plannedDate')}
            required
          />
          <Checkbox.Group label="Channels" value={channels} onChange={setChannels} error={problem('channels')} withAsterisk>
            <Group mt="xs">
              {(t?.channels ?? []).map((c) => (
                <Checkbox key={c.id} value={c.id} label={c.name} />
              ))}
            </Group>
          </Checkbox.Group>
          <TextInput label="Title" value={title} onChange={(e) => setTitle(e.currentTarget.value)} error={problem('title')} />
          <Textarea
            label="Description"
            value={description}
            onChange={(e) => setDescription(e.currentTarget.value)}
            error={problem('description')}
            autosize
            minRows={3}
          />
          {blackout && mayOverride && (
            <Textarea
              label="Blackout override reason"
              value={overrideReason}
              onChange={(e) => setOverrideReason(e.currentTarget.value)}
              error={problem('blackoutOverrideReason')}
              required
            />
          )}
          <Group justify="flex-end">
            <Button variant="default" onClick={onClose}>
              Cancel
            </Button>
            <Button type="submit" loading={create.isPending}>
              {blackout && mayOverride ? 'Create on the blackout' : 'Create release'}
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}
