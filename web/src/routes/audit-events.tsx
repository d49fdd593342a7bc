import { Accordion, Code, Group, SimpleGrid, Stack, Text } from '@mantine/core';
import type { paths } from '../api/schema';

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
            <SimpleGrid cols={{ base: 1, md: 2 }}>
              <Snapshot label="Before" value={e.before} />
              <Snapshot label="After" value={e.after} />
            </SimpleGrid>
            {e.requestId && <Text size="xs">Request {e.requestId}</Text>}
          </Accordion.Panel>
        </Accordion.Item>
      ))}
    </Accordion>
  );
}

function Snapshot({ label, value }: { label: string; value: unknown }) {
  return (
    <Stack gap={4}>
      <Text size="sm" fw={600}>
        {label}
      </Text>
      {value === null || value === undefined ? (
        <Text size="sm">nothing</Text>
      ) : (
        <Code block style={{ whiteSpace: 'pre-wrap', wordBreak: 'break-word' }}>
          {JSON.stringify(value, null, 2)}
        </Code>
      )}
    </Stack>
  );
}
