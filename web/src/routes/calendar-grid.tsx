import { Anchor, List, Stack, Table, Text, Title } from '@mantine/core';
import { Link } from 'react-router';
import type { AppKey, Blackout, Cycle, MyTask } from './calendar-data';
import { dayLabel, monthOf, WEEKDAY_NAMES } from './calendar-dates';

export type DayEvents = { cycles: Cycle[]; blackouts: Blackout[]; tasks: MyTask[] };

/** A release's page (or one of its sections), of the application the calendar shows. */
export const releasePath = (name: string, section = '', app?: AppKey) =>
  `/releases/${encodeURIComponent(name)}${section ? `/${section}` : ''}${app === undefined ? '' : `?app=${encodeURIComponent(app)}`}`;

/** What happens on a day: the cycles on it, the blackouts covering it, my tasks due that day. */
export function eventsOn(date: string, cycles: Cycle[], blackouts: Blackout[], tasks: MyTask[]): DayEvents {
  return {
    cycles: cycles.filter((c) => c.date === date),
    blackouts: blackouts.filter((b) => b.from <= date && date <= b.to),
    tasks: tasks.filter((t) => t.due === date),
  };
}

const scope = (b: Blackout) =>
  [b.channel ? `channel ${b.channel}` : null, b.environment ? `environment ${b.environment}` : null].filter(Boolean).join(', ') ||
  'everything';

/** The events of one day as text: every kind is named, not only coloured. */
export function DayList({ events, app }: { events: DayEvents; app: AppKey }) {
  const { cycles, blackouts, tasks } = events;
  if (cycles.length + blackouts.length + tasks.length === 0) return null;
  return (
    <List size="sm" spacing={2} listStyleType="none" withPadding={false}>
      {cycles.map((c) => (
        <List.Item key={c.id}>
          <Text span fw={700} size="sm" td={c.status === 'cancelled' ? 'line-through' : undefined}>
            Cycle: {c.title}
          </Text>{' '}
          <Text span size="sm">
            ({c.status})
          </Text>
          {c.releases.length > 0 && (
            <List size="sm" withPadding>
              {c.releases.map((r) => (
                <List.Item key={r.name}>
                  <Anchor component={Link} to={releasePath(r.name, '', app)} size="sm">
                    {r.name}
                  </Anchor>{' '}
                  {r.title} ({r.state})
                </List.Item>
              ))}
            </List>
          )}
        </List.Item>
      ))}
      {blackouts.map((b) => (
        <List.Item key={b.id}>
          <Text span fw={700} size="sm" c="red.9">
            Blackout
          </Text>{' '}
          <Text span size="sm">
            ({scope(b)}, {b.effect}): {b.reason}
          </Text>
        </List.Item>
      ))}
      {tasks.map((t) => (
        <List.Item key={`${t.release}/${t.task}`}>
          <Text span fw={700} size="sm">
            My task:
          </Text>{' '}
          <Anchor component={Link} to={releasePath(t.release, 'checklist', app)} size="sm">
            {t.title} ({t.release})
          </Anchor>
        </List.Item>
      ))}
    </List>
  );
}

export function MonthGrid({
  month,
  weeks,
  events,
  app,
}: {
  month: string;
  weeks: string[][];
  events: (date: string) => DayEvents;
  app: AppKey;
}) {
  return (
    <Table withTableBorder withColumnBorders layout="fixed" verticalSpacing="xs" aria-label={`Calendar of ${month}`}>
      <Table.Thead>
        <Table.Tr>
          {WEEKDAY_NAMES.map((d) => (
            <Table.Th key={d} scope="col">
              {d}
            </Table.Th>
          ))}
        </Table.Tr>
      </Table.Thead>
      <Table.Tbody>
        {weeks.map((week) => (
          <Table.Tr key={week[0]}>
            {week.map((date) => (
              <Table.Td key={date} valign="top" aria-label={dayLabel(date)}>
                <Text fw={700} size="sm" c={monthOf(date) === month ? undefined : 'dimmed'}>
                  {Number(date.slice(8))}
                  {monthOf(date) === month
                    ? ''
                    : ` ${new Date(`${date}T00:00:00Z`).toLocaleDateString(undefined, { month: 'short', timeZone: 'UTC' })}`}
                </Text>
                <DayList events={events(date)} app={app} />
              </Table.Td>
            ))}
          </Table.Tr>
        ))}
      </Table.Tbody>
    </Table>
  );
}

export function WeekList({ days, events, app }: { days: string[]; events: (date: string) => DayEvents; app: AppKey }) {
  return (
    <Stack gap="sm">
      {days.map((date) => {
        const e = events(date);
        const empty = e.cycles.length + e.blackouts.length + e.tasks.length === 0;
        return (
          <section key={date} aria-label={dayLabel(date)}>
            <Title order={3} size="h5">
              {dayLabel(date)}
            </Title>
            {empty ? <Text size="sm">Nothing planned.</Text> : <DayList events={e} app={app} />}
          </section>
        );
      })}
    </Stack>
  );
}
