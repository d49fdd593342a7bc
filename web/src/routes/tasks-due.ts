import type { Task } from './release/checklist-data';

const DAY = 24 * 60 * 60 * 1000;

/** Whole days from today (local) to a YYYY-MM-DD day: negative when it is past. */
function daysUntil(day: string, now: Date): number {
  const [y, m, d] = day.split('-').map(Number);
  const due = Date.UTC(y ?? 0, (m ?? 1) - 1, d ?? 1);
  const today = Date.UTC(now.getFullYear(), now.getMonth(), now.getDate());
  return Math.round((due - today) / DAY);
}

const days = (n: number) => (n === 1 ? '1 day' : `${n} days`);

/** "overdue by 3 days (due 2026-12-04)", "due today", "due in 5 days (…)", or the rule while the date is open. */
export function dueInWords(t: Pick<Task, 'due' | 'dueRule' | 'overdue'>, now = new Date()): string {
  if (!t.due) return `due ${t.dueRule} (no date yet)`;
  const n = daysUntil(t.due, now);
  if (t.overdue) return n < 0 ? `overdue by ${days(-n)} (due ${t.due})` : `overdue (due ${t.due})`;
  if (n === 0) return `due today (${t.due})`;
  return n > 0 ? `due in ${days(n)} (${t.due})` : `due ${t.due}`;
}

/** Overdue tasks first, then earliest due; tasks without a date last. */
export function overdueFirst<T extends Pick<Task, 'due' | 'overdue' | 'release' | 'position'>>(tasks: readonly T[]): T[] {
  return [...tasks].sort(
    (a, b) =>
      Number(b.overdue) - Number(a.overdue) ||
      (a.due ?? '9999').localeCompare(b.due ?? '9999') ||
      a.release.localeCompare(b.release) ||
      a.position - b.position,
  );
}
