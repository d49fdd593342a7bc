import { Accordion, Group, Text } from '@mantine/core';
import type { paths } from '../api/schema';
import { AuditChange } from '../components/audit-change';

export type AuditPage = paths['/api/v1/audit']['get']['responses'][200]['content']['application/json'];
export type AuditEvent = AuditPage['items'][number];

/** Audit events, each opening to what it was before and after. */
export function AuditEventList({ events }: { events: AuditEvent[] }) {
  return (
    <Accordion multiple variant="separated" aria-label="Audit events">
      {events.map((e) => (
        <Accordion.Item key={e.id} value={e.id}>
          <Accordion.Control>
            <Group gap="xs" wrap="wrap">
              <Text size="sm" component="span">
                #{e.seq}
              </Text>
              <Text size="sm" fw={600} component="span">
                {e.action}
              </Text>
              <Text size="sm" component="span">
                on {e.subjectType} {e.subjectId}
              </Text>
              <Text size="sm" component="span">
                by {e.actor}, {new Date(e.at).toLocaleString()}
              </Text>
            </Group>
          </Accordion.Control>
          <Accordion.Panel>
            <AuditChange before={e.before} after={e.after} requestId={e.requestId} />
          </Accordion.Panel>
        </Accordion.Item>
      ))}
    </Accordion>
  );
}
