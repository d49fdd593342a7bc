import { Anchor, Group, Modal, Select, Stack, Table, Text, Title } from '@mantine/core';
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { Link } from 'react-router';
import { api, data } from '../api/client';
import { usePageTitle } from '../components/page-title';
import { Pager } from '../components/pager';
import { ProblemAlert } from '../components/problem-alert';
import { useUrlFilters } from '../components/releases-url-filters';
import { useMe } from '../session';
import { MailText, mailStatusText, type Mail } from '../components/mail-text';
import { OUTBOX, RetryOutboxMail } from './outbox-mail';

const PAGE = 50;
const STATUSES = [
  { value: 'pending', label: 'Pending (queued or waiting for its next try)' },
  { value: 'failed', label: 'Failed (given up)' },
  { value: 'sent', label: 'Sent' },
];
type Status = 'pending' | 'sent' | 'failed';

/** Every mail relman queued, newest first: what became of it, why it failed, and a retry for those allowed. */
export default function Page() {
  usePageTitle('Mail outbox');
  const me = useMe();
  const f = useUrlFilters(['status'] as const);
  const status = (STATUSES.some((s) => s.value === f.values.status) ? f.values.status : undefined) as Status | undefined;
  const [open, setOpen] = useState<Mail | null>(null);
  // The mail the dialog shows, kept while it fades out after `open` is cleared.
  const [shown, setShown] = useState<Mail | null>(null);
  const mails = useQuery({
    queryKey: [...OUTBOX, 'list', status, f.page],
    queryFn: async () =>
      data(
        await api.GET('/api/v1/mail', {
          params: { query: { limit: PAGE, offset: (f.page - 1) * PAGE, ...(status ? { status } : {}) } },
        }),
      ),
    placeholderData: keepPreviousData,
  });
  const mayRetry = (m: Mail) => me.can('mail.send') && (m.status === 'failed' || (m.status === 'pending' && m.attempts > 0));
  return (
    <Stack>
      <Title order={1}>Mail outbox</Title>
      <Text>Every mail relman queued, newest first. A mail that failed to go out is tried again later, then given up.</Text>
      <Group align="flex-end">
        <Select
          label="Status"
          placeholder="Any status"
          data={STATUSES}
          value={status ?? null}
          onChange={(v) => f.set({ status: v ?? '' })}
          clearable
          w={340}
        />
      </Group>
      <ProblemAlert error={mails.error} title="The outbox could not be shown" />
      {mails.isPending ? (
        <p role="status">Loading…</p>
      ) : !mails.data || mails.data.items.length === 0 ? (
        <Text role="status">No mail{status ? ` with status ${status}` : ''}.</Text>
      ) : (
        <>
          <Text role="status" size="sm">
            {mails.data.total} {mails.data.total === 1 ? 'mail' : 'mails'}
          </Text>
          <Table.ScrollContainer minWidth={1000}>
            <Table striped aria-label="Mails, newest first">
              <Table.Thead>
                <Table.Tr>
                  <Table.Th scope="col">Queued</Table.Th>
                  <Table.Th scope="col">Subject</Table.Th>
                  <Table.Th scope="col">Release</Table.Th>
                  <Table.Th scope="col">Recipients</Table.Th>
                  <Table.Th scope="col">Status</Table.Th>
                  <Table.Th scope="col">Attempts</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {mails.data.items.map((m) => (
                  <Table.Tr key={m.id}>
                    <Table.Td>
                      {new Date(m.createdAt).toLocaleString()}
                      <Text size="xs">by {m.createdBy}</Text>
                    </Table.Td>
                    <Table.Td>
                      <Anchor
                        component="button"
                        type="button"
                        ta="left"
                        onClick={() => {
                          setShown(m);
                          setOpen(m);
                        }}
                        aria-label={`Read the mail “${m.subject}”`}
                      >
                        {m.subject}
                      </Anchor>
                    </Table.Td>
                    <Table.Td>
                      {m.release ? (
                        <Anchor component={Link} to={`/releases/${encodeURIComponent(m.release)}/mail`}>
                          {m.release}
                        </Anchor>
                      ) : (
                        '—'
                      )}
                    </Table.Td>
                    <Table.Td>
                      <Text size="sm">To: {m.to.join(', ') || 'nobody'}</Text>
                      {m.cc.length > 0 && <Text size="sm">Cc: {m.cc.join(', ')}</Text>}
                    </Table.Td>
                    <Table.Td>
                      <Text size="sm" fw={600}>
                        {mailStatusText(m)}
                      </Text>
                      {m.sentAt && <Text size="xs">sent {new Date(m.sentAt).toLocaleString()}</Text>}
                      {m.lastError && <Text size="xs">Error: {m.lastError}</Text>}
                      {mayRetry(m) && <RetryOutboxMail mail={m} />}
                    </Table.Td>
                    <Table.Td>{m.attempts}</Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </Table.ScrollContainer>
          <Pager label="Outbox pages" page={f.page} pageSize={PAGE} total={mails.data.total} go={(p) => f.set({ page: String(p) })} />
        </>
      )}
      <Modal
        closeButtonProps={{ 'aria-label': 'Close' }}
        opened={open !== null}
        onClose={() => setOpen(null)}
        title={shown?.subject ?? 'Mail'}
        size="xl"
      >
        {shown && <MailText mail={shown} queryKey={[...OUTBOX, 'body']} />}
      </Modal>
    </Stack>
  );
}
