import { Button, Group, Text } from '@mantine/core';

/** Previous/next through a paged list whose page number lives in the address. */
export function Pager({
  label,
  page,
  pageSize,
  total,
  go,
}: {
  label: string;
  page: number;
  pageSize: number;
  total: number;
  go: (page: number) => void;
}) {
  if (total <= pageSize) return null;
  return (
    <Group component="nav" aria-label={label} gap="xs">
      <Button variant="default" disabled={page <= 1} onClick={() => go(page - 1)}>
        Previous page
      </Button>
      <Text size="sm">
        Page {page} of {Math.ceil(total / pageSize)}
      </Text>
      <Button variant="default" disabled={page * pageSize >= total} onClick={() => go(page + 1)}>
        Next page
      </Button>
    </Group>
  );
}
