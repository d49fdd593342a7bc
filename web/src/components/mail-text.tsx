import { Code, Stack, Text } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { api, data } from '../api/client';
import type { paths } from '../api/schema';
import { ProblemAlert } from './problem-alert';

export type Mail = paths['/api/v1/mail']['get']['responses'][200]['content']['application/json']['items'][number];

/** What became of a mail, in words: given up, waiting for its next try, or its status. */
export const mailStatusText = (m: Mail): string =>
  m.status === 'failed'
    ? 'failed, given up'
    : m.status === 'pending'
      ? m.attempts > 0
        ? `pending, next try ${new Date(m.nextAttemptAt).toLocaleString()}`
        : 'pending'
      : m.status;

/**
 * A mail's full text, read when opened. `queryKey` places it in its page's cache
 * (a release's mails under the release's key, so one invalidation refreshes them).
 */
export function MailText({ mail, queryKey, app }: { mail: Mail; queryKey: readonly unknown[]; app?: string | undefined }) {
  const full = useQuery({
    queryKey: [...queryKey, mail.id],
    queryFn: async () => data(await api.GET('/api/v1/mail/{id}', { params: { path: { id: mail.id }, query: app ? { app } : {} } })),
  });
  if (full.error) return <ProblemAlert error={full.error} title="The mail could not be shown" />;
  if (!full.data) return <p role="status">Loading…</p>;
  return (
    <Stack gap="xs">
      <Text size="sm">To: {full.data.to.join(', ') || 'nobody'}</Text>
      {full.data.cc.length > 0 && <Text size="sm">Cc: {full.data.cc.join(', ')}</Text>}
      <Text size="sm">
        Template {full.data.template}, {full.data.cause}; status {mailStatusText(full.data)}
      </Text>
      <Code block style={{ whiteSpace: 'pre-wrap' }}>
        {full.data.body}
      </Code>
    </Stack>
  );
}
