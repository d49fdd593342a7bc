import { Button, Group, Stack, Text, Title } from '@mantine/core';
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { api, data } from '../api/client';
import { usePageTitle } from '../components/page-title';
import { ProblemAlert } from '../components/problem-alert';
import { useUrlFilters } from '../components/releases-url-filters';
import { AuditEventList, type AuditPage } from './audit-events';
import { AUDIT_FILTERS, AuditFilterForm, auditCsvUrl, auditQuery } from './audit-filters';
import { VerifyChain } from './audit-verify';

const PAGE = 50;

/** The audit trail of everything, filtered by subject, actor, action and time; its chain checked; exported as CSV. */
export default function Page() {
  usePageTitle('Audit');
  const f = useUrlFilters([...AUDIT_FILTERS, 'after']);
  const { after, ...values } = f.values;
  // The cursors of the pages before this one, to go back.
  const [earlier, setEarlier] = useState<string[]>([]);
  const query = auditQuery(values);
  const events = useQuery({
    queryKey: ['audit', 'events', query, after],
    queryFn: async (): Promise<AuditPage> =>
      data(await api.GET('/api/v1/audit', { params: { query: { ...query, limit: PAGE, ...(after ? { afterSeq: Number(after) } : {}) } } })),
    placeholderData: keepPreviousData,
  });
  const page = events.data;
  return (
    <Stack>
      <Title order={1}>Audit</Title>
      <Text>Every change relman recorded, oldest first. Open an event to see what it was before and after.</Text>
      <VerifyChain />
      <AuditFilterForm
        values={values}
        apply={(v) => {
          setEarlier([]);
          f.set({ ...v, after: '' });
        }}
        clear={() => {
          setEarlier([]);
          f.clear();
        }}
      />
      <Group>
        <Button component="a" href={auditCsvUrl(values)} download="audit.csv" variant="default">
          Export CSV
        </Button>
        <Text size="sm">The events the filters match, all pages.</Text>
      </Group>
      <ProblemAlert error={events.error} title="The audit events could not be shown" />
      {events.isPending ? (
        <p role="status">Loading…</p>
      ) : !page || page.items.length === 0 ? (
        <Text role="status">No audit event matches.</Text>
      ) : (
        <>
          <AuditEventList events={page.items} />
          <Group component="nav" aria-label="Audit pages" gap="xs">
            <Button
              variant="default"
              disabled={!after}
              onClick={() => {
                f.set({ after: earlier.at(-1) ?? '' });
                setEarlier(earlier.slice(0, -1));
              }}
            >
              Previous page
            </Button>
            <Button
              variant="default"
              disabled={page.nextAfterSeq === null}
              onClick={() => {
                setEarlier([...earlier, after]);
                f.set({ after: String(page.nextAfterSeq) });
              }}
            >
              Next page
            </Button>
          </Group>
        </>
      )}
    </Stack>
  );
}
