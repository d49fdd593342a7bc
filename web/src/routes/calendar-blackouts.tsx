import { Button, Group, List, Modal, Select, Stack, Text, TextInput, Textarea } from '@mantine/core';
import { useState, type FormEvent } from 'react';
import { api, data } from '../api/client';
import { fieldProblems } from '../api/problem';
import { formText } from '../components/form-value';
import { ProblemAlert } from '../components/problem-alert';
import { appParam, useAppTemplateChoices, useCalendarWrite, type AppKey, type Blackout } from './calendar-data';

type NewBlackout = { from: string; to?: string; channel?: string; environment?: string; reason: string };

/** The first choice of the channel and environment lists: no template id has a space in it. */
const EVERY = ' every';

export function SetBlackout({ app }: { app: AppKey }) {
  const [open, setOpen] = useState(false);
  const [channel, setChannel] = useState(EVERY);
  const [environment, setEnvironment] = useState(EVERY);
  const template = useAppTemplateChoices(app);
  const close = () => {
    setOpen(false);
    setChannel(EVERY);
    setEnvironment(EVERY);
  };
  const add = useCalendarWrite(
    async (body: NewBlackout) => data(await api.POST('/api/v1/blackouts', { body: { ...body, ...appParam(app) } })),
    close,
  );
  const submit = (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const f = new FormData(e.currentTarget);
    const to = formText(f, 'to').trim();
    add.mutate({
      from: formText(f, 'from'),
      reason: formText(f, 'reason'),
      ...(to ? { to } : {}),
      ...(channel === EVERY ? {} : { channel }),
      ...(environment === EVERY ? {} : { environment }),
    });
  };
  const channels = [{ value: EVERY, label: 'Every channel' }, ...(template.choices?.channels ?? [])];
  const environments = [{ value: EVERY, label: 'Every environment' }, ...(template.choices?.environments ?? [])];
  return (
    <>
      <Button variant="default" onClick={() => setOpen(true)}>
        Set a blackout
      </Button>
      <Modal opened={open} onClose={close} closeButtonProps={{ 'aria-label': 'Dismiss the dialog' }} title="Set a blackout">
        <form onSubmit={submit}>
          <Stack>
            <Group grow>
              <TextInput type="date" name="from" label="From" required error={fieldProblems(add.error, 'from')} />
              <TextInput type="date" name="to" label="To (inclusive)" description="Blank: one day" error={fieldProblems(add.error, 'to')} />
            </Group>
            {template.pending && <Text role="status">Loading the channels and environments…</Text>}
            <ProblemAlert error={template.error} title="The channels and environments could not be loaded" />
            <Group grow align="flex-start">
              <Select
                label="Channel"
                data={channels}
                value={channel}
                onChange={(v) => setChannel(v ?? EVERY)}
                allowDeselect={false}
                error={fieldProblems(add.error, 'channel')}
              />
              <Select
                label="Environment"
                description="Only a production environment blocks releases"
                data={environments}
                value={environment}
                onChange={(v) => setEnvironment(v ?? EVERY)}
                allowDeselect={false}
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
export function BlackoutList({ blackouts, canManage, app }: { blackouts: Blackout[]; canManage: boolean; app: AppKey }) {
  const remove = useCalendarWrite(async (id: string) =>
    data(await api.DELETE('/api/v1/blackouts/{id}', { params: { path: { id }, query: appParam(app) } })),
  );
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
