import { Button } from '@mantine/core';
import { api, data } from '../../api/client';
import { ProblemAlert } from '../../components/problem-alert';
import { useReleaseWrite } from './queries';

/** Make a mail that gave up (or waits for a retry) due now; the next delivery run sends it. */
export function RetryMail({ name, app, id, subject }: { name: string; app: string | undefined; id: string; subject: string }) {
  const retry = useReleaseWrite<void, unknown>(name, {
    mutationFn: async () =>
      data(await api.POST('/api/v1/mail/{id}/retry', { params: { path: { id }, query: app ? { app } : {} }, body: {} })),
  });
  return (
    <>
      <Button
        size="compact-sm"
        variant="light"
        loading={retry.isPending}
        aria-label={`Retry the mail “${subject}”`}
        onClick={() => retry.mutate()}
      >
        Retry
      </Button>
      <ProblemAlert error={retry.error} title="The mail was not retried" />
    </>
  );
}
