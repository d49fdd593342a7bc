import { Alert, Button, Group, Stack, Text } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { api, data } from '../api/client';
import { ProblemAlert } from '../components/problem-alert';

/** Checks the whole audit chain on request; shows that it holds, or the first event that does not. */
export function VerifyChain() {
  const [asked, setAsked] = useState(false);
  const check = useQuery({
    queryKey: ['audit', 'verify'],
    queryFn: async () => data(await api.GET('/api/v1/audit/verify')),
    enabled: asked,
    staleTime: 0,
  });
  const r = check.data;
  return (
    <Stack gap="xs">
      <Group>
        <Button
          variant="default"
          loading={check.isFetching}
          onClick={() => {
            if (asked) void check.refetch();
            else setAsked(true);
          }}
        >
          Verify the chain
        </Button>
      </Group>
      <ProblemAlert error={check.error} title="The chain could not be checked" />
      {r && !check.isFetching && r.ok && r.head !== null && (
        <Alert color="#1b5e20" variant="filled" title="The chain holds" role="status">
          All {r.events} events are as they were recorded; none was removed or inserted. Last hash{' '}
          <Text span ff="monospace" size="sm">
            {r.head.slice(0, 16)}…
          </Text>
        </Alert>
      )}
      {r && !check.isFetching && !r.ok && r.firstBad && (
        <Alert color="red" variant="light" title={`The chain is broken at event #${r.firstBad.seq}`} role="alert">
          <Text size="sm">
            {r.firstBad.action
              ? `${r.firstBad.action} at ${r.firstBad.at ? new Date(r.firstBad.at).toLocaleString() : '?'}`
              : 'The event is missing'}
            {r.firstBad.id ? ` (event ${r.firstBad.id})` : ''}: {r.firstBad.reason}.
          </Text>
          <Text size="sm">{r.events} events before it hold.</Text>
        </Alert>
      )}
    </Stack>
  );
}
