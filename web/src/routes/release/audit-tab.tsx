import { Accordion, Group, Stack, Text, Title } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { api, data } from '../../api/client';
import type { paths } from '../../api/schema';
import { ProblemAlert } from '../../components/problem-alert';
import { TransitionHistory } from './audit-history';
import { releaseKey, useReleaseRef } from './queries';
import { when } from './tests-evidence';
import { AuditChange } from '../../components/audit-change';

type AuditPage = paths['/api/v1/audit']['get']['responses'][200]['content']['application/json'];
type AuditEvent = AuditPage['items'][number];
const PAGE = 1000;
const MAX_PAGES = 20;

/** The release's audit events, newest first, each with what it was before and after; then its transitions. */
export default function AuditTab() {
  const { name, app } = useReleaseRef();
  const events = useQuery({
    queryKey: releaseKey(name, 'audit', app),
    queryFn: async (): Promise<AuditEvent[]> => {
      // The API pages oldest first; a release's trail is read whole and shown newest first.
      const all: AuditEvent[] = [];
      let afterSeq: number | undefined;
      for (let i = 0; i < MAX_PAGES; i++) {
        const query = { subjectType: 'release', subjectId: name, limit: PAGE, ...(app ? { app } : {}), ...(afterSeq ? { afterSeq } : {}) };
        const page = data(await api.GET('/api/v1/audit', { params: { query } }));
        all.push(...page.items);
        if (page.nextAfterSeq === null) break;
        afterSeq = page.nextAfterSeq;
      }
      return all.reverse();
    },
  });

  return (
    <Stack gap="xl">
      <Stack>
        <Title order={2}>Audit events</Title>
        <Text size="sm">Newest first; open an event to see what it was before and after.</Text>
        <ProblemAlert error={events.error} title="The audit events could not be shown" />
        {events.isPending ? (
          <p role="status">Loading…</p>
        ) : !events.data || events.data.length === 0 ? (
          <Text>No audit events.</Text>
        ) : (
          <Accordion multiple variant="separated">
            {events.data.map((e) => (
              <Accordion.Item key={e.id} value={e.id}>
                <Accordion.Control>
                  <Group gap="xs" wrap="wrap">
                    <Text size="sm" fw={600} component="span">
                      {e.action}
                    </Text>
                    <Text size="sm" component="span">
                      by {e.actor}, {when(e.at)}
                    </Text>
                    <Text size="xs" component="span">
                      {changedFields(e.before, e.after)}
                    </Text>
                  </Group>
                </Accordion.Control>
                <Accordion.Panel>
                  <AuditChange before={e.before} after={e.after} requestId={e.requestId} />
                </Accordion.Panel>
              </Accordion.Item>
            ))}
          </Accordion>
        )}
      </Stack>
      <TransitionHistory name={name} app={app} />
    </Stack>
  );
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** "changed: status, note" when both sides are records; a plain word otherwise. */
function changedFields(before: unknown, after: unknown): string {
  if (isRecord(before) && isRecord(after)) {
    const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])].filter(
      (k) => JSON.stringify(before[k]) !== JSON.stringify(after[k]),
    );
    return keys.length ? `changed: ${keys.join(', ')}` : '';
  }
  const none = (v: unknown) => v === null || v === undefined;
  if (none(before) && !none(after)) return 'recorded';
  if (!none(before) && none(after)) return 'removed';
  return '';
}
