import { Button } from '@mantine/core';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { api, data } from '../api/client';
import { ProblemAlert } from '../components/problem-alert';
import type { Mail } from '../components/mail-text';

export const OUTBOX = ['outbox'] as const;

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
