import { Button, Checkbox, Group, Modal, Stack, TextInput, Title } from '@mantine/core';
import { useState, type FormEvent } from 'react';
import { api, data } from '../../api/client';
import { fieldProblems } from '../../api/problem';
import { formText } from '../../components/form-value';
import { ProblemAlert } from '../../components/problem-alert';
import { useReleaseWrite, type ReleaseDetail } from './queries';

type Item = ReleaseDetail['items'][number];
type Assign = { key: string; release: string | null; move?: boolean; version?: number };

/** PUT /items/{key}/release: attach (release), move (move: true) or detach (null). */
export function useAssign(name: string, app: string | undefined, onSuccess?: () => void) {
  return useReleaseWrite<Assign, unknown>(name, {
    mutationFn: async ({ key, ...body }) =>
      data(await api.PUT('/api/v1/items/{key}/release', { params: { path: { key }, query: app ? { app } : {} }, body })),
    onSuccess: () => onSuccess?.(),
  });
}

/** Detach and move buttons of one item row; the move asks for the other release in a dialog. */
export function ItemActions({ name, app, item }: { name: string; app: string | undefined; item: Item }) {
  const [moving, setMoving] = useState(false);
  const detach = useAssign(name, app);
  const move = useAssign(name, app, () => setMoving(false));
  const submitMove = (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const target = formText(new FormData(e.currentTarget), 'target').trim();
    move.mutate({ key: item.key, release: target, move: true, version: item.version });
  };
  return (
    <>
      <Group gap={4} wrap="nowrap">
        <Button
          size="compact-sm"
          variant="light"
          color="red"
          loading={detach.isPending}
          aria-label={`Detach ${item.key}`}
          onClick={() => detach.mutate({ key: item.key, release: null, version: item.version })}
        >
          Detach
        </Button>
        <Button size="compact-sm" variant="light" aria-label={`Move ${item.key} to another release`} onClick={() => setMoving(true)}>
          Move…
        </Button>
      </Group>
      <ProblemAlert error={detach.error} title={`${item.key} was not detached`} />
      <Modal
        closeButtonProps={{ 'aria-label': 'Close' }}
        opened={moving}
        onClose={() => setMoving(false)}
        title={`Move ${item.key} to another release`}
      >
        <form onSubmit={submitMove}>
          <Stack>
            <TextInput
              name="target"
              label="Release"
              description="The name of the release to move it to"
              required
              data-autofocus
              error={fieldProblems(move.error, 'release')}
            />
            <ProblemAlert error={move.error} title={`${item.key} was not moved`} />
            <Group justify="flex-end">
              <Button variant="default" onClick={() => setMoving(false)}>
                Cancel
              </Button>
              <Button type="submit" loading={move.isPending}>
                Move
              </Button>
            </Group>
          </Stack>
        </form>
      </Modal>
    </>
  );
}

/** Attach an existing item by its key; optionally take it out of the release it is in now. */
export function AttachItemForm({ name, app }: { name: string; app: string | undefined }) {
  const [done, setDone] = useState<string | null>(null);
  const attach = useAssign(name, app);
  const submit = (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const form = e.currentTarget;
    const fd = new FormData(form);
    const key = formText(fd, 'key').trim();
    attach.mutate(
      { key, release: name, move: fd.get('move') === 'on' },
      {
        onSuccess: () => {
          setDone(`${key} attached to ${name}`);
          form.reset();
        },
      },
    );
  };
  return (
    <form onSubmit={submit} aria-labelledby="attach-item-title">
      <Stack gap="xs">
        <Title order={3} size="h4" id="attach-item-title">
          Attach an existing work item
        </Title>
        <Group align="flex-end">
          <TextInput name="key" label="Work item key" placeholder="IR-12" required error={fieldProblems(attach.error, 'key')} />
          <Checkbox name="move" label="Move it here if it is in another release" mb={8} />
          <Button type="submit" loading={attach.isPending}>
            Attach
          </Button>
        </Group>
        {done && !attach.error && <p role="status">{done}</p>}
        <ProblemAlert error={attach.error} title="The item was not attached" />
      </Stack>
    </form>
  );
}
