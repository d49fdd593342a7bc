import { Button, Group, SegmentedControl, Stack, Text, Title } from '@mantine/core';
import { useSearchParams } from 'react-router';
import { usePageTitle } from '../components/page-title';
import { ProblemAlert } from '../components/problem-alert';
import { useMe } from '../session';
import { BlackoutList, SetBlackout } from './calendar-blackouts';
import { ConflictList } from './calendar-conflicts';
import { CycleList, PlanCycle } from './calendar-cycles';
import { useCalendarRange } from './calendar-data';
import {
  addDays,
  addMonths,
  dayLabel,
  isDate,
  isMonth,
  isoDate,
  mondayOf,
  monthName,
  monthOf,
  monthWeeks,
  weekDays,
} from './calendar-dates';
import { CalendarFeed } from './calendar-feed';
import { eventsOn, MonthGrid, WeekList } from './calendar-grid';

export default function Page() {
  usePageTitle('Calendar');
  const { can } = useMe();
  const canManage = can('calendar.manage');
  const [params, setParams] = useSearchParams();
  const today = isoDate(new Date());
  const view = params.get('view') === 'week' ? 'week' : 'month';
  const weekParam = params.get('week');
  const monthParam = params.get('month');
  const week = mondayOf(isDate(weekParam) ? weekParam : isMonth(monthParam) ? `${monthParam}-01` : today);
  const month = isMonth(monthParam) ? monthParam : monthOf(isDate(weekParam) ? weekParam : today);
  const weeks = monthWeeks(month);
  const days = view === 'week' ? weekDays(week) : weeks.flat();
  const from = days[0] ?? today;
  const to = days[days.length - 1] ?? today;
  const { cycles, blackouts, tasks, conflicts } = useCalendarRange(from, to);
  const events = (date: string) => eventsOn(date, cycles.data ?? [], blackouts.data ?? [], tasks.data ?? []);

  const go = (next: Record<string, string>) => setParams(next);
  const showMonth = (m: string) => go({ view: 'month', month: m });
  const showWeek = (w: string) => go({ view: 'week', week: w });
  const heading = view === 'week' ? `Week of ${dayLabel(week)}` : monthName(month);

  return (
    <Stack>
      <Title order={1}>Calendar</Title>
      <Group justify="space-between">
        <SegmentedControl
          aria-label="View"
          value={view}
          onChange={(v) => (v === 'week' ? showWeek(view === 'month' ? mondayOf(`${month}-01`) : week) : showMonth(monthOf(week)))}
          data={[
            { value: 'month', label: 'Month' },
            { value: 'week', label: 'Week' },
          ]}
        />
        {canManage && (
          <Group gap="xs">
            <PlanCycle />
            <SetBlackout />
          </Group>
        )}
      </Group>
      <Group gap="xs">
        <Button variant="default" onClick={() => (view === 'week' ? showWeek(addDays(week, -7)) : showMonth(addMonths(month, -1)))}>
          {view === 'week' ? 'Previous week' : 'Previous month'}
        </Button>
        <Button variant="default" onClick={() => (view === 'week' ? showWeek(mondayOf(today)) : showMonth(monthOf(today)))}>
          Today
        </Button>
        <Button variant="default" onClick={() => (view === 'week' ? showWeek(addDays(week, 7)) : showMonth(addMonths(month, 1)))}>
          {view === 'week' ? 'Next week' : 'Next month'}
        </Button>
      </Group>
      <Title order={2}>{heading}</Title>
      <ProblemAlert error={cycles.error ?? blackouts.error ?? tasks.error} title="The calendar could not be loaded" />
      {cycles.isPending || blackouts.isPending ? (
        <Text role="status">Loading the calendar…</Text>
      ) : view === 'week' ? (
        <WeekList days={days} events={events} />
      ) : (
        <MonthGrid month={month} weeks={weeks} events={events} />
      )}
      <Title order={2}>Change cycles</Title>
      <CycleList cycles={cycles.data ?? []} canManage={canManage} />
      <Title order={2}>Blackouts</Title>
      <BlackoutList blackouts={blackouts.data ?? []} canManage={canManage} />
      <Title order={2}>Conflicts</Title>
      <ProblemAlert error={conflicts.error} title="The conflicts could not be loaded" />
      <ConflictList conflicts={conflicts.data ?? []} />
      <Title order={2}>Calendar feed</Title>
      <CalendarFeed />
    </Stack>
  );
}
