import { Button, Group, List, Modal, Stack, Text, TextInput, Textarea } from '@mantine/core';
import { useState, type FormEvent } from 'react';
import { api, data } from '../api/client';
import { fieldProblems } from '../api/problem';
import { formText } from '../components/form-value';
import { ProblemAlert } from '../components/problem-alert';
import { useCalendarWrite, type Blackout } from './calendar-data';

type NewBlackout = { from: string; to?: string; channel?: string; environment?: string; reason: string };

export function SetBlackout() {
  const [open, setOpen] = useState(false);
  const add = useCalendarWrite(
    async (body: NewBlackout) => data(await api.POST('/api/v1/blackouts', { body })),
    () => setOpen(false),
  );
  const submit = (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const f = new FormData(e.currentTarget);
    const optional = (name: 'to' | 'channel' | 'environment') => {
      const v = formText(f, name).trim();
      return v ? { [name]: v } : {};
    };
    add.mutate({
      from: formText(f, 'from'),
      reason: formText(f, 'reason'),
      ...optional('to'),
      ...optional('channel'),
      ...optional('environment'),
    });
  };
  return (
    <>
      <Button variant="default" onClick={() => setOpen(true)}>
        Set a blackout
      </Button>
      <Modal opened={open} onClose={() => setOpen(false)} closeButtonProps={{ 'aria-label': 'Dismiss the dialog' }} title="Set a blackout">
        <form onSubmit={submit}>
          <Stack>
            <Group grow>
              <TextInput type="date" name="from" label="From" required error={fieldProblems(add.error, 'from')} />
              <TextInput type="date" name="to" label="To (inclusive)" description="Blank: one day" error={fieldProblems(add.error, 'to')} />
            </Group>
            <Group grow>
              <TextInput name="channel" label="Channel" description="Blank: every channel" error={fieldProblems(add.error, 'channel')} />
              <TextInput
                name="environment"
                label="Environment"
                description="Blank: every environment"
                error={fieldProblems(add.error, 'environment')}
              />
            </Group>
            <Textarea name="reason" label="Reason" required error={fieldProblems(add.error, 'reason')} />
            <ProblemAlert error={add.error} title="The blackout was not set" />
            <Group justify="flex-end">
              <Button type="submit" loading={add.isPending}>
                Set blackout
              </Button>
            </Group>
          </Stack>
        </form>
      </Modal>
    </>
  );
}

const scope = (b: Blackout) =>
  [b.channel ? `channel ${b.channel}` : null, b.environment ? `environment ${b.environment}` : null].filter(Boolean).join(', ') ||
  'every channel and environment';

/** The blackouts in view, each removable by those who manage the calendar. */
export function BlackoutList({ blackouts, canManage }: { blackouts: Blackout[]; canManage: boolean }) {
  const remove = useCalendarWrite(async (id: string) => data(await api.DELETE('/api/v1/blackouts/{id}', { params: { path: { id } } })));
  if (blackouts.length === 0) return <Text size="sm">No blackout in this period.</Text>;
  return (
    <Stack gap="xs">
      <ProblemAlert error={remove.error} title="The blackout was not removed" />
      <List spacing="xs">
        {blackouts.map((b) => {
          const when = b.from === b.to ? b.from : `${b.from} to ${b.to}`;
          return (
            <List.Item key={b.id}>
              <Group gap="xs">
                <Text size="sm">
                  {when}, {scope(b)} ({b.effect}): {b.reason}
                  {b.releases.length > 0 ? `; releases in it: ${b.releases.map((r) => r.name).join(', ')}` : ''}
                </Text>
                {canManage && (
                  <Button
                    size="xs"
                    variant="default"
                    color="red"
                    loading={remove.isPending && remove.variables === b.id}
                    onClick={() => remove.mutate(b.id)}
                    aria-label={`Remove the blackout ${when}: ${b.reason}`}
                  >
                    Remove
                  </Button>
                )}
              </Group>
            </List.Item>
          );
        })}
      </List>
    </Stack>
  );
}
