import { Anchor, Button, Checkbox, Group, List, Modal, Stack, Table, Text, TextInput, Textarea, Title } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { Link } from 'react-router';
import { api, data } from '../api/client';
import { fieldProblems } from '../api/problem';
import { formText } from '../components/form-value';
import { ProblemAlert } from '../components/problem-alert';
import { appParam, CALENDAR_KEY, useCalendarWrite, type AppKey, type Cycle } from './calendar-data';
import { releasePath } from './calendar-grid';

const dismiss = { 'aria-label': 'Dismiss the dialog' };

export function PlanCycle({ app }: { app: AppKey }) {
  const [open, setOpen] = useState(false);
  const plan = useCalendarWrite(
    async (body: { date: string; title?: string; oneOff: boolean }) =>
      data(await api.POST('/api/v1/cycles', { body: { ...body, ...appParam(app) } })),
    () => setOpen(false),
  );
  const submit = (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const f = new FormData(e.currentTarget);
    const title = formText(f, 'title').trim();
    plan.mutate({ date: formText(f, 'date'), oneOff: f.get('oneOff') === 'on', ...(title ? { title } : {}) });
  };
  return (
    <>
      <Button onClick={() => setOpen(true)}>Plan a cycle</Button>
      <Modal opened={open} onClose={() => setOpen(false)} closeButtonProps={dismiss} title="Plan a change cycle">
        <form onSubmit={submit}>
          <Stack>
            <TextInput type="date" name="date" label="Date" required error={fieldProblems(plan.error, 'date')} />
            <TextInput name="title" label="Title" description="Blank: “Change cycle DATE”" maxLength={200} />
            <Checkbox name="oneOff" label="A one-off date (not one of the usual cycle days)" />
            <ProblemAlert error={plan.error} title="The cycle was not planned" />
            <Group justify="flex-end">
              <Button type="submit" loading={plan.isPending}>
                Plan cycle
              </Button>
            </Group>
          </Stack>
        </form>
      </Modal>
    </>
  );
}

function CancelCycle({ cycle, app, onClose }: { cycle: Cycle; app: AppKey; onClose: () => void }) {
  const cancel = useCalendarWrite(
    async (reason: string) =>
      data(
        await api.POST('/api/v1/cycles/{date}/cancel', {
          params: { path: { date: cycle.date }, query: appParam(app) },
          body: { reason, version: cycle.version },
        }),
      ),
    onClose,
  );
  return (
    <Modal opened onClose={onClose} closeButtonProps={dismiss} title={`Cancel ${cycle.title}`}>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          cancel.mutate(formText(new FormData(e.currentTarget), 'reason'));
        }}
      >
        <Stack>
          <Text size="sm">Its releases keep their dates but are no longer booked into a cycle.</Text>
          <Textarea name="reason" label="Reason" required error={fieldProblems(cancel.error, 'reason')} />
          <ProblemAlert error={cancel.error} title="The cycle was not cancelled" />
          <Group justify="flex-end">
            <Button type="submit" color="red" loading={cancel.isPending}>
              Cancel cycle
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}

function useMovePreview(cycle: Cycle, app: AppKey, to: string, enabled: boolean) {
  return useQuery({
    queryKey: [...CALENDAR_KEY, app ?? null, 'move-preview', cycle.date, to],
    queryFn: async () =>
      data(
        await api.GET('/api/v1/cycles/{date}/move-preview', {
          params: { path: { date: cycle.date }, query: { to, ...appParam(app) } },
        }),
      ),
    enabled,
    retry: false,
  });
}

function MovePreviewView({ preview, app }: { preview: ReturnType<typeof useMovePreview>; app: AppKey }) {
  if (preview.isPending) return <Text role="status">Working out what moves…</Text>;
  if (preview.isError) return <ProblemAlert error={preview.error} title="The cycle cannot move there" />;
  const p = preview.data;
  return (
    <Stack gap="xs" aria-label="What moves">
      <Title order={3} size="h5">
        What moves from {p.from} to {p.to}
      </Title>
      {p.blackout && (
        <Text role="alert" size="sm" c="red.9">
          Needs a blackout override: {p.blackout}
        </Text>
      )}
      {p.releases.length === 0 && <Text size="sm">No open release is booked into this cycle.</Text>}
      {p.releases.map((r) => (
        <Stack key={r.name} gap={4}>
          <Text size="sm">
            <Anchor component={Link} to={releasePath(r.name, '', app)}>
              {r.name}
            </Anchor>{' '}
            {r.title}: planned {r.plannedDate} → {p.to}
          </Text>
          {r.tasks.length > 0 && (
            <Table withTableBorder aria-label={`Checklist due dates of ${r.name}`}>
              <Table.Thead>
                <Table.Tr>
                  <Table.Th scope="col">Task</Table.Th>
                  <Table.Th scope="col">Due now</Table.Th>
                  <Table.Th scope="col">Due after the move</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {r.tasks.map((t) => (
                  <Table.Tr key={t.task}>
                    <Table.Td>{t.title}</Table.Td>
                    <Table.Td style={{ whiteSpace: 'nowrap' }}>{t.from ?? 'no date'}</Table.Td>
                    <Table.Td style={{ whiteSpace: 'nowrap' }}>{t.to ?? 'no date'}</Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          )}
          <Text size="sm">{r.told.length > 0 ? `Told by mail: ${r.told.join(', ')}` : 'Nobody is told by mail (no address).'}</Text>
        </Stack>
      ))}
    </Stack>
  );
}

function MoveCycle({ cycle, app, onClose }: { cycle: Cycle; app: AppKey; onClose: () => void }) {
  const [to, setTo] = useState('');
  const [reason, setReason] = useState('');
  const [overrideReason, setOverrideReason] = useState('');
  const valid = /^\d{4}-\d{2}-\d{2}$/.test(to);
  const preview = useMovePreview(cycle, app, to, valid);
  // The new date is in a blackout: the move needs a recorded reason to override it.
  const onBlackout = valid && (preview.data?.blackout ?? null) !== null;
  const move = useCalendarWrite(
    async () =>
      data(
        await api.POST('/api/v1/cycles/{date}/move', {
          params: { path: { date: cycle.date }, query: appParam(app) },
          body: { to, reason, version: cycle.version, ...(onBlackout ? { blackoutOverrideReason: overrideReason } : {}) },
        }),
      ),
    onClose,
  );
  return (
    <Modal opened onClose={onClose} closeButtonProps={dismiss} title={`Move ${cycle.title}`} size="lg">
      <form
        onSubmit={(e) => {
          e.preventDefault();
          move.mutate();
        }}
      >
        <Stack>
          <TextInput
            type="date"
            label="New date"
            required
            value={to}
            onChange={(e) => setTo(e.currentTarget.value)}
            error={fieldProblems(move.error, 'to')}
          />
          {valid && <MovePreviewView preview={preview} app={app} />}
          <Textarea
            label="Reason"
            required
            value={reason}
            onChange={(e) => setReason(e.currentTarget.value)}
            error={fieldProblems(move.error, 'reason')}
          />
          {onBlackout && (
            <Textarea
              label="Blackout override reason"
              description="Why the cycle may move into the blackout anyway; recorded on each release it concerns"
              required
              value={overrideReason}
              onChange={(e) => setOverrideReason(e.currentTarget.value)}
              error={fieldProblems(move.error, 'blackoutOverrideReason')}
            />
          )}
          <ProblemAlert error={move.error} title="The cycle was not moved" />
          <Group justify="flex-end">
            <Button type="submit" loading={move.isPending} disabled={!valid}>
              Confirm move
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}

/** The cycles in view, with their planning controls for those who manage the calendar. */
export function CycleList({ cycles, canManage, app }: { cycles: Cycle[]; canManage: boolean; app: AppKey }) {
  const [dialog, setDialog] = useState<{ kind: 'move' | 'cancel'; cycle: Cycle } | null>(null);
  if (cycles.length === 0) return <Text size="sm">No change cycle in this period.</Text>;
  return (
    <>
      <List spacing="xs">
        {cycles.map((c) => (
          <List.Item key={c.id}>
            <Group gap="xs">
              <Text size="sm">
                {c.date}: {c.title} ({c.status}
                {c.note ? `; ${c.note}` : ''}), {c.releases.length} release{c.releases.length === 1 ? '' : 's'}
              </Text>
              {canManage && c.status === 'planned' && (
                <>
                  <Button size="xs" variant="default" onClick={() => setDialog({ kind: 'move', cycle: c })} aria-label={`Move ${c.title}`}>
                    Move
                  </Button>
                  <Button
                    size="xs"
                    variant="default"
                    color="red"
                    onClick={() => setDialog({ kind: 'cancel', cycle: c })}
                    aria-label={`Cancel ${c.title}`}
                  >
                    Cancel
                  </Button>
                </>
              )}
            </Group>
          </List.Item>
        ))}
      </List>
      {dialog?.kind === 'move' && <MoveCycle cycle={dialog.cycle} app={app} onClose={() => setDialog(null)} />}
      {dialog?.kind === 'cancel' && <CancelCycle cycle={dialog.cycle} app={app} onClose={() => setDialog(null)} />}
    </>
  );
}
