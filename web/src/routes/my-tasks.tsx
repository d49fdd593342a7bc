import { Anchor, Badge, Stack, Table, Text, Title } from '@mantine/core';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect } from 'react';
import { Link } from 'react-router';
import { api, data } from '../api/client';
import { usePageTitle } from '../components/page-title';
import { ProblemAlert } from '../components/problem-alert';
import { useMe } from '../session';
import { TaskActions } from './release/checklist-actions';
import type { Task } from './release/checklist-data';
import { dueInWords, overdueFirst } from './tasks-due';

const MY_TASKS = ['me', 'tasks'] as const;

/** Every open checklist task of the roles I hold, across releases, overdue first; done from here. */
export default function Page() {
  usePageTitle('My tasks');
  const me = useMe();
  const qc = useQueryClient();
  const tasks = useQuery({
    queryKey: MY_TASKS,
    queryFn: async (): Promise<Task[]> => overdueFirst(data(await api.GET('/api/v1/checklist', { params: { query: { mine: 'true' } } }))),
  });
  // The task dialogs refresh their release's queries; this list spans releases, so it follows every write made here.
  useEffect(
    () =>
      qc.getMutationCache().subscribe((e) => {
        if (e.type === 'updated' && e.action.type === 'success') void qc.invalidateQueries({ queryKey: MY_TASKS });
      }),
    [qc],
  );
  const roles = me.session?.user.roles ?? [];
  const mayChange = (t: Task) => !me.readOnly && (me.can('checklist.complete') || t.responsible.some((r) => roles.includes(r.role)));
  const list = tasks.data ?? [];
  const overdue = list.filter((t) => t.overdue).length;
  return (
    <Stack>
      <Title order={1}>My tasks</Title>
      <Text>Open checklist tasks of the roles you hold, in every release still going on; overdue ones first.</Text>
      <ProblemAlert error={tasks.error} title="Your tasks could not be shown" />
      {tasks.isPending ? (
        <p role="status">Loading your tasks…</p>
      ) : list.length === 0 ? (
        <Text role="status">No open checklist task for your roles.</Text>
      ) : (
        <>
          <Text role="status">
            {list.length} open {list.length === 1 ? 'task' : 'tasks'}
            {overdue > 0 ? `, ${overdue} overdue` : ''}.
          </Text>
          <Table.ScrollContainer minWidth={800}>
            <Table striped aria-label="My open checklist tasks, overdue first">
              <Table.Thead>
                <Table.Tr>
                  <Table.Th scope="col">Task</Table.Th>
                  <Table.Th scope="col">Release</Table.Th>
                  <Table.Th scope="col">Due</Table.Th>
                  <Table.Th scope="col">Responsible</Table.Th>
                  <Table.Th scope="col">Actions</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {list.map((t) => (
                  <Table.Tr key={`${t.release}/${t.task}`}>
                    <Table.Td>
                      {t.title}
                      {t.status !== 'open' && <Text size="xs">{t.statusText}</Text>}
                    </Table.Td>
                    <Table.Td>
                      <Anchor component={Link} to={`/releases/${encodeURIComponent(t.release)}/checklist`}>
                        {t.release}
                      </Anchor>
                    </Table.Td>
                    <Table.Td>
                      {t.overdue && (
                        <Badge color="red.9" variant="filled" mr="xs">
                          Overdue
                        </Badge>
                      )}
                      <Text span size="sm">
                        {dueInWords(t)}
                      </Text>
                    </Table.Td>
                    <Table.Td>{t.responsible.map((r) => r.name).join(', ')}</Table.Td>
                    <Table.Td>
                      <TaskActions
                        name={t.release}
                        app={undefined}
                        task={t}
                        mayChange={mayChange(t)}
                        mayWaive={me.can('checklist.waive')}
                      />
                    </Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </Table.ScrollContainer>
        </>
      )}
    </Stack>
  );
}
