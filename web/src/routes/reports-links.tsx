import { Anchor, Group, Text } from '@mantine/core';
import { Link } from 'react-router';
import { releasePath } from './reports-queries';

/** The releases behind a figure, each a link to its page. */
export function ReleaseLinks({ names }: { names: string[] }) {
  if (names.length === 0) return <Text span>none</Text>;
  return (
    <Group gap="xs" component="span">
      {names.map((n) => (
        <Anchor key={n} component={Link} to={releasePath(n)}>
          {n}
        </Anchor>
      ))}
    </Group>
  );
}
