import { Anchor, Badge, Stack, Table, Text, Title } from '@mantine/core';
import { ProblemAlert } from '../../components/problem-alert';
import { useMe } from '../../session';
import { TaskActions } from './checklist-actions';
import { evidenceFileUrl, useChecklist, type Task } from './checklist-data';
import { useReleaseRef } from './queries';
import { when } from './tests-evidence';

/** The release's reconciliation checklist: due dates, who is responsible, status and evidence of each task. */
export default function ChecklistTab() {
  const { name, app } = useReleaseRef();
  const me = useMe();
  const session = me.session;
  const checklist = useChecklist(name, app);
  if (checklist.error) return <ProblemAlert error={checklist.error} title="The checklist could not be shown" />;
  if (!checklist.data) return <p role="status">Loading…</p>;
  const c = checklist.data;
  const roles = session.user.roles;
  const mayComplete = me.can('checklist.complete');
  const mayWaive = me.can('checklist.waive');
  const mayChange = (t: Task) => mayComplete || t.responsible.some((r) => roles.includes(r.role));
  const anyActions = c.tasks.some((t) => mayChange(t) || mayWaive);
  const overdue = c.tasks.filter((t) => t.overdue).length;

  return (
    <Stack>
      <Title order={2}>Checklist</Title>
      <Text size="sm">
        Due dates in {c.timeZone}; {c.tasks.length} task{c.tasks.length === 1 ? '' : 's'}
        {overdue > 0 ? `, ${overdue} overdue` : ''}.
        {c.milestones.length > 0 && ` Milestones: ${c.milestones.map((m) => `${m.name} ${m.date}`).join(', ')}.`}
      </Text>
      <Table.ScrollContainer minWidth={900}>
        <Table striped verticalSpacing="xs" aria-label={`Checklist of ${name}`}>
          <Table.Thead>
            <Table.Tr>
              <Table.Th scope="col">Task</Table.Th>
              <Table.Th scope="col">Due</Table.Th>
              <Table.Th scope="col">Responsible</Table.Th>
              <Table.Th scope="col">Status</Table.Th>
              <Table.Th scope="col">Note and evidence</Table.Th>
              {anyActions && <Table.Th scope="col">Change</Table.Th>}
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {c.tasks.map((t) => (
              <Table.Tr key={t.task}>
                <Table.Td>
                  <Text fw={500}>{t.title}</Text>
                  {t.remarks && <Text size="sm">{t.remarks}</Text>}
                </Table.Td>
                <Table.Td>
                  <Text size="sm">{t.due ?? 'no date yet'}</Text>
                  <Text size="xs">{t.dueRule}</Text>
                  {t.overdue && (
                    <Badge color="red.9" variant="filled" mt={4}>
                      Overdue
                    </Badge>
                  )}
                </Table.Td>
                <Table.Td>
                  {t.responsible.map((r) => (
                    <Text size="sm" key={r.role}>
                      {r.name}
                      {r.people.length > 0 ? `: ${r.people.map((p) => p.name).join(', ')}` : ''}
                    </Text>
                  ))}
                </Table.Td>
                <Table.Td>
                  <TaskStatus t={t} />
                </Table.Td>
                <Table.Td>
                  <TaskEvidence name={name} app={app} t={t} />
                </Table.Td>
                {anyActions && (
                  <Table.Td>
                    <TaskActions name={name} app={app} task={t} mayChange={mayChange(t)} mayWaive={mayWaive} />
                  </Table.Td>
                )}
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </Table.ScrollContainer>
    </Stack>
  );
}

function TaskStatus({ t }: { t: Task }) {
  return (
    <Stack gap={2}>
      <Text size="sm" fw={600}>
        {t.statusText}
      </Text>
      {t.completedBy && (
        <Text size="xs">
          by {t.completedBy}, {when(t.completedAt)}
        </Text>
      )}
      {t.waivers.map((w) => (
        <Text size="xs" key={w.transition}>
          Waived for {w.transitionName}: {w.reason} ({w.waivedBy})
        </Text>
      ))}
      {t.lateAfter.length > 0 && <Text size="xs">Late: done after {t.lateAfter.map((l) => l.name).join(', ')}</Text>}
      {t.requiredBefore.length > 0 && <Text size="xs">Required before {t.requiredBefore.map((b) => b.name).join(', ')}</Text>}
    </Stack>
  );
}

function TaskEvidence({ name, app, t }: { name: string; app: string | undefined; t: Task }) {
  const e = t.evidence;
  return (
    <Stack gap={2}>
      {t.note && <Text size="sm">{t.note}</Text>}
      {e?.link && (
        <Anchor href={e.link} target="_blank" rel="noreferrer" size="sm">
          {e.link}
        </Anchor>
      )}
      {e?.fileName && (
        <Anchor href={evidenceFileUrl(name, app, t.task, e.fileName)} size="sm" download={e.fileName}>
          Download {e.fileName}
          {e.size !== undefined ? ` (${e.size} bytes)` : ''}
        </Anchor>
      )}
      {e?.mailSubject && <Text size="sm">Mail: {e.mailSubject}</Text>}
    </Stack>
  );
}
