import { Button, CopyButton, Group, Stack, Text, TextInput } from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, data } from '../api/client';
import { ProblemAlert } from '../components/problem-alert';

const FEED_KEY = ['calendar', 'feed-token'] as const;

/** My secret iCalendar feed URL: created (or rotated) with one click; the server shows it only then. */
export function CalendarFeed() {
  const client = useQueryClient();
  const status = useQuery({ queryKey: FEED_KEY, queryFn: async () => data(await api.GET('/api/v1/calendar/feed-token')) });
  const create = useMutation({
    mutationFn: async () => data(await api.POST('/api/v1/calendar/feed-token', { body: { replace: true } })),
    onSuccess: () => client.invalidateQueries({ queryKey: FEED_KEY }),
  });
  const revoke = useMutation({
    mutationFn: async () => data(await api.DELETE('/api/v1/calendar/feed-token')),
    onSuccess: () => {
      create.reset();
      return client.invalidateQueries({ queryKey: FEED_KEY });
    },
  });
  const exists = status.data?.exists ?? false;
  return (
    <Stack gap="xs">
      <ProblemAlert error={status.error ?? create.error ?? revoke.error} title="The feed URL could not be changed" />
      {create.data ? (
        <>
          <Group align="flex-end" gap="xs">
            <TextInput label="My feed URL" readOnly value={create.data.url} style={{ flex: 1 }} onFocus={(e) => e.currentTarget.select()} />
            <CopyButton value={create.data.url}>
              {({ copied, copy }) => (
                <Button variant="default" onClick={copy}>
                  {copied ? 'Copied' : 'Copy URL'}
                </Button>
              )}
            </CopyButton>
          </Group>
          <Text size="sm" role="status">
            Subscribe to it in your calendar program. It is shown only now; rotate it to get a new one.
          </Text>
        </>
      ) : (
        <Text size="sm">
          {exists
            ? `You have a feed URL (since ${new Date(status.data?.createdAt ?? '').toLocaleString()}${
                status.data?.lastUsedAt ? `, last used ${new Date(status.data.lastUsedAt).toLocaleString()}` : ''
              }). It was shown when it was made; rotate it to see a new one (the old one stops working).`
            : 'A private URL your calendar program can subscribe to: cycles, blackouts, releases and your checklist tasks.'}
        </Text>
      )}
      <Group gap="xs">
        <Button variant="default" loading={create.isPending} onClick={() => create.mutate()}>
          {exists || create.data ? 'Rotate my feed URL' : 'Create my feed URL'}
        </Button>
        {(exists || create.data) && (
          <Button variant="default" color="red" loading={revoke.isPending} onClick={() => revoke.mutate()}>
            Revoke my feed URL
          </Button>
        )}
      </Group>
    </Stack>
  );
}
