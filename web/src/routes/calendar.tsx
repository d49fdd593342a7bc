import { Button, Group, SegmentedControl, Select, Stack, Text, Title } from '@mantine/core';
import { useSearchParams } from 'react-router';
import { usePageTitle } from '../components/page-title';
import { ProblemAlert } from '../components/problem-alert';
import { useMe } from '../session';
import { BlackoutList, SetBlackout } from './calendar-blackouts';
import { ConflictList } from './calendar-conflicts';
import { CycleList, PlanCycle } from './calendar-cycles';
import { useApplications, useCalendarRange } from './calendar-data';
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
  // No app= shows the server's default application.
  const app = params.get('app') || undefined;
  const apps = useApplications();
  const shownApp = app ?? apps.data?.find((a) => a.isDefault)?.key ?? apps.data?.[0]?.key ?? null;
  const { cycles, blackouts, tasks, conflicts } = useCalendarRange(from, to, app);
  const events = (date: string) => eventsOn(date, cycles.data ?? [], blackouts.data ?? [], tasks.data ?? []);

  // The application chosen stays in the URL across months and weeks.
  const go = (next: Record<string, string>) => setParams(app === undefined ? next : { ...next, app });
  const chooseApp = (key: string | null) => {
    if (key === null) return;
    const next = new URLSearchParams(params);
    next.set('app', key);
    setParams(next);
  };
  const showMonth = (m: string) => go({ view: 'month', month: m });
  const showWeek = (w: string) => go({ view: 'week', week: w });
  const heading = view === 'week' ? `Week of ${dayLabel(week)}` : monthName(month);

  return (
    <Stack>
      <Title order={1}>Calendar</Title>
      <ProblemAlert error={apps.error} title="The applications could not be loaded" />
      {(apps.data?.length ?? 0) > 1 && (
        <Select
          label="Application"
          description="The application whose cycles, blackouts and conflicts are shown"
          data={(apps.data ?? []).map((a) => ({ value: a.key, label: a.name }))}
          value={shownApp}
          onChange={chooseApp}
          allowDeselect={false}
          maw={360}
        />
      )}
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
            <PlanCycle app={app} />
            <SetBlackout app={app} />
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
        <WeekList days={days} events={events} app={app} />
      ) : (
        <MonthGrid month={month} weeks={weeks} events={events} app={app} />
      )}
      <Title order={2}>Change cycles</Title>
      <CycleList cycles={cycles.data ?? []} canManage={canManage} app={app} />
      <Title order={2}>Blackouts</Title>
      <BlackoutList blackouts={blackouts.data ?? []} canManage={canManage} app={app} />
      <Title order={2}>Conflicts</Title>
      <ProblemAlert error={conflicts.error} title="The conflicts could not be loaded" />
      <ConflictList conflicts={conflicts.data ?? []} app={app} />
      <Title order={2}>Calendar feed</Title>
      <CalendarFeed />
    </Stack>
  );
}
