import { Button, Code, Stack, Text } from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, data } from '../api/client';
import type { paths } from '../api/schema';
import { ProblemAlert } from '../components/problem-alert';

export type Mail = paths['/api/v1/mail']['get']['responses'][200]['content']['application/json']['items'][number];
export const OUTBOX = ['outbox'] as const;

export const mailStatusText = (m: Mail): string =>
  m.status === 'failed'
    ? 'failed, given up'
    : m.status === 'pending'
      ? m.attempts > 0
        ? `pending, next try ${new Date(m.nextAttemptAt).toLocaleString()}`
        : 'pending'
      : m.status;

/** A mail's full text, read when opened. */
export function MailBody({ mail }: { mail: Mail }) {
  const full = useQuery({
    queryKey: [...OUTBOX, 'body', mail.id],
    queryFn: async () => data(await api.GET('/api/v1/mail/{id}', { params: { path: { id: mail.id }, query: {} } })),
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

/** Makes a mail that gave up (or waits for its next try) due now; the next delivery run sends it. */
export function RetryOutboxMail({ mail }: { mail: Mail }) {
  const qc = useQueryClient();
  const retry = useMutation({
    mutationFn: async () => data(await api.POST('/api/v1/mail/{id}/retry', { params: { path: { id: mail.id }, query: {} }, body: {} })),
    onSettled: () => qc.invalidateQueries({ queryKey: OUTBOX }),
  });
  return (
    <>
      <Button
        size="compact-sm"
        variant="light"
        loading={retry.isPending}
        aria-label={`Retry the mail “${mail.subject}”`}
        onClick={() => retry.mutate()}
      >
        Retry
      </Button>
      <ProblemAlert error={retry.error} title="The mail was not retried" />
    </>
  );
}
