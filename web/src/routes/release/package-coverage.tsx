import { Badge, Code, Group, List, Stack, Table, Text, Title } from '@mantine/core';
import { ProblemAlert } from '../../components/problem-alert';
import { useCoverage } from './packages-queries';

/** Undeclared elements listed at most: an archive may hold thousands of files no item names. */
const SHOWN = 200;
const key = (e: { type: string; name: string }) => `${e.type}:${e.name}`;

/** Per work item, which of its declared elements the channel's files hold and which are missing (P5). */
export function PackageCoverage({
  release,
  app,
  channel,
  version,
}: {
  release: string;
  app: string | undefined;
  channel: string;
  version: number;
}) {
  const q = useCoverage(release, app, channel, version);
  if (q.error) return <ProblemAlert error={q.error} title="Coverage could not be shown" />;
  if (!q.data) return <p role="status">Loading coverage…</p>;
  const c = q.data;
  return (
    <Stack gap="sm">
      <Group gap="xs">
        <Badge variant="outline" color={c.complete ? 'gray.8' : 'red.9'}>
          {c.complete ? 'Complete' : 'Incomplete'}
        </Badge>
        <Text size="sm">
          {c.complete
            ? 'Every element the work items declare is in the package.'
            : 'Some elements the work items declare are missing from the package.'}
        </Text>
      </Group>
      <Text size="sm">
        Checked: {c.files.map((f) => `v${f.version} ${f.fileName} (${f.kind})`).join(', ') || 'no file'} — the newest file of each kind as
        of version {c.version}.
      </Text>
      {c.items.length === 0 ? (
        <Text size="sm">No work item is on the release.</Text>
      ) : (
        <Table striped aria-label={`Coverage of the ${channel} channel by work item`}>
          <Table.Thead>
            <Table.Tr>
              <Table.Th scope="col">Work item</Table.Th>
              <Table.Th scope="col">Status</Table.Th>
              <Table.Th scope="col">Missing elements</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {c.items.map((i) => (
              <Table.Tr key={i.item}>
                <Table.Th scope="row">{i.item}</Table.Th>
                <Table.Td>{i.missing.length === 0 ? 'all its elements are in the package' : `${i.missing.length} missing`}</Table.Td>
                <Table.Td>
                  {i.missing.length === 0 ? (
                    'none'
                  ) : (
                    <List size="sm">
                      {i.missing.map((e) => (
                        <List.Item key={key(e)}>
                          <Code>{key(e)}</Code>
                        </List.Item>
                      ))}
                    </List>
                  )}
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      )}
      <Title order={5}>In the package but declared by no work item ({c.undeclared.length})</Title>
      {c.undeclared.length === 0 ? (
        <Text size="sm">none</Text>
      ) : (
        <List size="sm" aria-label="Elements no work item declares">
          {c.undeclared.slice(0, SHOWN).map((e) => (
            <List.Item key={key(e)}>
              <Code>{key(e)}</Code>
            </List.Item>
          ))}
        </List>
      )}
      {c.undeclared.length > SHOWN && <Text size="sm">… and {c.undeclared.length - SHOWN} more.</Text>}
    </Stack>
  );
}
