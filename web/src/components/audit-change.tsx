import { Code, SimpleGrid, Stack, Text } from '@mantine/core';

/** An audit event's before and after, side by side, and the request that made it. */
export function AuditChange({ before, after, requestId }: { before: unknown; after: unknown; requestId: string | null }) {
  return (
    <>
      <SimpleGrid cols={{ base: 1, md: 2 }}>
        <Snapshot label="Before" value={before} />
        <Snapshot label="After" value={after} />
      </SimpleGrid>
      {requestId && <Text size="xs">Request {requestId}</Text>}
    </>
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
