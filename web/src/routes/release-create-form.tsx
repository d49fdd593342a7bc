import { Alert, Button, Checkbox, Group, Modal, NativeSelect, Stack, Text, Textarea, TextInput } from '@mantine/core';
import { useMutation, useQueryClient } from '@tanstack/react-query';
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
};

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
  const chosenType = type || t?.releaseTypes[0]?.id || '';

  const create = useMutation({
    mutationFn: async (body: NewRelease) => data(await api.POST('/api/v1/releases', { body })),
    onSuccess: async (release) => {
      await qc.invalidateQueries({ queryKey: ['releases'] });
      await qc.invalidateQueries({ queryKey: ['me'] });
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
          <TextInput
            type="date"
            label="Planned date"
            value={plannedDate}
            onChange={(e) => setPlannedDate(e.currentTarget.value)}
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
