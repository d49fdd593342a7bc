import { Anchor, List, Text } from '@mantine/core';
import { Fragment } from 'react';
import { Link } from 'react-router';
import type { AppKey, Conflict } from './calendar-data';
import { releasePath } from './calendar-grid';

const KIND: Record<Conflict['kind'], string> = {
  channel: 'Same channel twice in a cycle',
  elements: 'Overlapping elements',
  'cycle-blackout': 'Cycle on a blackout',
  'release-blackout': 'Release on a blackout',
};

export function ConflictList({ conflicts, app }: { conflicts: Conflict[]; app: AppKey }) {
  if (conflicts.length === 0) return <Text size="sm">No conflicts in this period.</Text>;
  return (
    <List spacing="xs">
      {conflicts.map((c, i) => (
        <List.Item key={`${c.kind}-${c.date}-${i}`}>
          <Text size="sm">
            <Text span fw={700} size="sm">
              {KIND[c.kind]}
            </Text>{' '}
            on {c.date}
            {c.overridden ? ' (overridden)' : ''}: {c.message}
            {c.releases.length > 0 && ' — '}
            {c.releases.map((r, n) => (
              <Fragment key={r}>
                {n > 0 && ', '}
                <Anchor component={Link} to={releasePath(r, '', app)} size="sm">
                  {r}
                </Anchor>
              </Fragment>
            ))}
          </Text>
        </List.Item>
      ))}
    </List>
  );
}
