import { Badge } from '@mantine/core';

const STATE_COLOR: Record<string, string> = {
  waiting: 'gray.8',
  running: 'blue.9',
  // Darker than green.9 and orange.9, for white text at WCAG AA.
  done: '#1e6b30',
  succeeded: '#1e6b30',
  failed: 'red.9',
  skipped: 'gray.8',
  interrupted: '#a33a00',
};

/** A deployment run's or step's state in words; the colour only repeats them. */
export function RunStateBadge({ state, label }: { state: string; label?: string }) {
  return (
    <Badge
      color={STATE_COLOR[state] ?? 'gray.8'}
      variant={state === 'waiting' || state === 'skipped' ? 'outline' : 'filled'}
      style={{ flexShrink: 0, overflow: 'visible' }}
    >
      {label ?? state}
    </Badge>
  );
}
