import { Group, Paper, Stack, Text, Title } from '@mantine/core';
import { GateView, PassBadge } from './road-gate';
import { rolesText, type TemplateFacts } from './road-template';
import type { RoadView } from './road-types';

/** Every state still ahead of the release, each with its gates, what they lack and their evidence. */
export function RoadList({ road, facts }: { road: RoadView; facts: TemplateFacts | undefined }) {
  const missing = road.steps.reduce((n, s) => n + s.unmet.length, 0);
  return (
    <section aria-labelledby="road-heading">
      <Stack gap="sm">
        <Title order={2} id="road-heading">
          Road to production
        </Title>
        <Text>
          Now <strong>{road.stateName}</strong>.{' '}
          {road.reached
            ? 'The release is in production.'
            : road.goalName === null
              ? road.terminal
                ? 'The release has ended here.'
                : 'Production cannot be reached from here.'
              : `${road.steps.length} ${road.steps.length === 1 ? 'step' : 'steps'} to ${road.goalName}; ${
                  missing === 0 ? 'nothing is missing' : `${missing} ${missing === 1 ? 'condition' : 'conditions'} still missing`
                }.`}
        </Text>
        <ol style={{ margin: 0, paddingLeft: 0, listStyle: 'none' }} aria-label="States ahead">
          {road.steps.map((s, i) => (
            <li key={`${s.transition.id}-${i}`}>
              <Paper withBorder p="sm" mb="xs">
                <Stack gap="xs">
                  <Group justify="space-between" align="baseline">
                    <Title order={3} size="h4">
                      {i + 1}. {s.toName}
                    </Title>
                    <PassBadge pass={s.unmet.length === 0}>{s.unmet.length === 0 ? 'Ready' : `${s.unmet.length} missing`}</PassBadge>
                  </Group>
                  <Text size="sm">
                    By “{s.transition.name}”, taken by {rolesText(s.transition.roles, facts)}
                    {s.transition.requireComment ? ', with a comment' : ''}.
                  </Text>
                  {s.gates.length === 0 ? <Text size="sm">No gate.</Text> : s.gates.map((g) => <GateView key={g.id} gate={g} />)}
                </Stack>
              </Paper>
            </li>
          ))}
        </ol>
      </Stack>
    </section>
  );
}
