import { Badge, Group, List, Stack, Text } from '@mantine/core';
import { useState, type ReactNode } from 'react';
import type { GateResult } from './road-types';

/** Beyond this many lines a list folds, so a release with hundreds of items stays readable. */
const FOLD_AT = 8;

/** A list that shows its first lines and folds the rest behind a disclosure. */
export function FoldedList({ lines, label, held }: { lines: string[]; label: string; held?: boolean }) {
  // The folded lines are only made once opened: a gate of a 200-item release may list 200 of them.
  const [unfolded, setUnfolded] = useState(false);
  const mark =
    held === undefined ? undefined : (
      <Text span fw={700} c={held ? '#216e39' : '#b02525'} aria-hidden>
        {held ? '✓' : '✗'}
      </Text>
    );
  const item = (l: string, i: number) => (
    <List.Item key={i} icon={mark}>
      {l}
    </List.Item>
  );
  if (lines.length <= FOLD_AT)
    return (
      <List size="sm" aria-label={label}>
        {lines.map(item)}
      </List>
    );
  return (
    <div>
      <List size="sm" aria-label={label}>
        {lines.slice(0, FOLD_AT).map(item)}
      </List>
      <details onToggle={(e) => setUnfolded(e.currentTarget.open)}>
        <summary>
          <Text span size="sm">
            {lines.length - FOLD_AT} more
          </Text>
        </summary>
        {unfolded && (
          <List size="sm" aria-label={`${label}, continued`}>
            {lines.slice(FOLD_AT).map((l, i) => item(l, i + FOLD_AT))}
          </List>
        )}
      </details>
    </div>
  );
}

export function PassBadge({ pass, children }: { pass: boolean; children?: ReactNode }) {
  return (
    <Badge variant="filled" color={pass ? '#216e39' : '#b02525'} style={{ flexShrink: 0 }}>
      {children ?? (pass ? 'Holds' : 'Missing')}
    </Badge>
  );
}

/** "what — who, when", leaving out a who or when the evidence does not have. */
export function evidenceLine(e: GateResult['evidence'][number]): string {
  const at = Date.parse(e.at);
  const by = e.by && e.by !== '-' ? e.by : '';
  const when = Number.isNaN(at) ? '' : new Date(at).toLocaleString();
  const tail = [by, when].filter((x) => x !== '').join(', ');
  return tail ? `${e.what} — ${tail}` : e.what;
}

/** One gate: whether it holds, what it still lacks, and the evidence for what holds (what, who, when). */
export function GateView({ gate }: { gate: GateResult }) {
  return (
    <Stack gap={2}>
      <Group gap="xs" wrap="nowrap" align="baseline">
        <PassBadge pass={gate.pass} />
        <Text size="sm" fw={500}>
          {gate.name}
        </Text>
      </Group>
      <Stack gap={2} pl="md">
        {gate.reasons.length > 0 && <FoldedList lines={gate.reasons} label={`What “${gate.name}” still lacks`} held={false} />}
        {gate.evidence.length > 0 && <FoldedList lines={gate.evidence.map(evidenceLine)} label={`Evidence for “${gate.name}”`} held />}
        {gate.exceptions.map((x, i) => (
          <Text size="sm" key={i}>
            Exception used: {x}
          </Text>
        ))}
      </Stack>
    </Stack>
  );
}
