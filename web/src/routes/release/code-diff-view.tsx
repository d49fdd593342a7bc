import { Badge, Button, CopyButton, Group, List, Stack, Switch, Table, Text, Title, VisuallyHidden } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { useMemo, useState } from 'react';
import { ProblemAlert } from '../../components/problem-alert';
import { sideBySide, withContext, type Row, type Side } from './code-diff-rows';
import { useElementDiff, type Comparison } from './packages-queries';

const CHANGE_WORD = { added: 'added', removed: 'removed', changed: 'changed' } as const;

/**
 * One element's text in two versions, side by side (old | new), with the
 * members that changed named and the changed lines marked in words as well as
 * colour. jsdiff is loaded only when this view opens.
 */
export default function CodeDiffView(props: {
  release: string;
  app: string | undefined;
  channel: string;
  element: string;
  comparison: Comparison;
}) {
  const { release, app, channel, element, comparison } = props;
  const q = useElementDiff(release, app, channel, element, comparison);
  const jsdiff = useQuery({ queryKey: ['module', 'diff'], queryFn: () => import('diff'), staleTime: Infinity });
  const [whole, setWhole] = useState(false);

  const rows = useMemo(() => {
    if (!q.data || !jsdiff.data) return null;
    return sideBySide(jsdiff.data.diffLines(q.data.from.text ?? '', q.data.to.text ?? ''));
  }, [q.data, jsdiff.data]);

  if (q.error) return <ProblemAlert error={q.error} title={`The code of ${element} could not be compared`} />;
  if (jsdiff.error) return <ProblemAlert error={jsdiff.error} title="The comparison could not be loaded" />;
  if (!q.data || !rows) return <p role="status">Loading the code of {element}…</p>;

  const d = q.data;
  const oldName = `${d.from.release} v${d.from.version}`;
  const newName = `${d.to.release} v${d.to.version}`;
  const changedLines = rows.filter((r) => r.kind === 'line' && (r.old?.changed || r.new?.changed)).length;
  const shown = whole ? rows : withContext(rows);

  return (
    <Stack gap="sm">
      <Text size="sm" role="status">
        {element}: {oldName}
        {d.from.text === null ? ' (not in that version)' : ''} compared with {newName}
        {d.to.text === null ? ' (not in that version)' : ''}. {changedLines} changed line{changedLines === 1 ? '' : 's'}.
      </Text>
      <section aria-labelledby="code-diff-members">
        <Title order={3} size="h5" id="code-diff-members">
          Members that changed ({d.members.length})
        </Title>
        {d.members.length === 0 ? (
          <Text size="sm">No member changed: the two texts are the same.</Text>
        ) : (
          <List size="sm" aria-labelledby="code-diff-members">
            {d.members.map((m) => (
              <List.Item key={`${m.kind}:${m.name}`}>
                <Group gap={6} component="span">
                  <Badge variant="outline" color="gray.8" component="span">
                    {CHANGE_WORD[m.change]}
                  </Badge>{' '}
                  <span>
                    {m.kind} <strong>{m.name}</strong>
                  </span>
                </Group>
              </List.Item>
            ))}
          </List>
        )}
      </section>
      <Group>
        <Switch label="Show the whole text, not only the changes" checked={whole} onChange={(e) => setWhole(e.currentTarget.checked)} />
        <CopyButton value={d.unified}>
          {({ copied, copy }) => (
            <Button size="compact-sm" variant="subtle" onClick={copy} disabled={!d.unified}>
              {copied ? 'Unified diff copied' : 'Copy as unified diff'}
            </Button>
          )}
        </CopyButton>
      </Group>
      <Table.ScrollContainer minWidth={800}>
        <Table
          withColumnBorders
          verticalSpacing={0}
          horizontalSpacing={6}
          ff="monospace"
          fz="xs"
          style={{ tableLayout: 'fixed' }}
          aria-label={`Code of ${element}: ${oldName} beside ${newName}`}
        >
          <Table.Thead>
            <Table.Tr>
              <Table.Th scope="col" w={56}>
                Line<VisuallyHidden> (old)</VisuallyHidden>
              </Table.Th>
              <Table.Th scope="col">Old: {oldName}</Table.Th>
              <Table.Th scope="col" w={56}>
                Line<VisuallyHidden> (new)</VisuallyHidden>
              </Table.Th>
              <Table.Th scope="col">New: {newName}</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {shown.map((r, i) => (
              <CodeRow key={i} row={r} />
            ))}
          </Table.Tbody>
        </Table>
      </Table.ScrollContainer>
    </Stack>
  );
}

const CODE = { whiteSpace: 'pre-wrap', overflowWrap: 'anywhere', tabSize: 4 } as const;

function CodeRow({ row }: { row: Row }) {
  if (row.kind === 'fold') {
    return (
      <Table.Tr>
        <Table.Td colSpan={4} ta="center" fs="italic">
          … {row.count} unchanged line{row.count === 1 ? '' : 's'} …
        </Table.Td>
      </Table.Tr>
    );
  }
  return (
    <Table.Tr>
      <LineNumber side={row.old} header />
      <LineText side={row.old} mark="removed" />
      <LineNumber side={row.new} />
      <LineText side={row.new} mark="added" />
    </Table.Tr>
  );
}

function LineNumber({ side, header }: { side: Side | null; header?: boolean }) {
  const content = side ? side.n : <VisuallyHidden>no line</VisuallyHidden>;
  return header ? (
    <Table.Th scope="row" fw={400} ta="right">
      {content}
    </Table.Th>
  ) : (
    <Table.Td ta="right">{content}</Table.Td>
  );
}

function LineText({ side, mark }: { side: Side | null; mark: 'removed' | 'added' }) {
  if (!side) return <Table.Td bg="var(--mantine-color-gray-1)" />;
  if (!side.changed) return <Table.Td style={CODE}>{side.text}</Table.Td>;
  const bg = mark === 'removed' ? 'var(--mantine-color-red-1)' : 'var(--mantine-color-green-1)';
  return (
    <Table.Td style={CODE} bg={bg} data-change={mark}>
      <span aria-hidden="true">{mark === 'removed' ? '− ' : '+ '}</span>
      <VisuallyHidden>{mark === 'removed' ? 'Removed line: ' : 'Added line: '}</VisuallyHidden>
      {side.text}
    </Table.Td>
  );
}
