import { Button, Code, Group, Modal, Radio, Select, Stack, Table, Text, Title, VisuallyHidden } from '@mantine/core';
import { lazy, Suspense, useState } from 'react';
import { ProblemAlert } from '../../components/problem-alert';
import type { ArchiveEntry, CacheElement } from './package-manifest';
import { formatBytes, usePackageDiff, type Comparison, type PackageVersion } from './packages-queries';

const CodeDiffView = lazy(() => import('./code-diff-view'));

type Item = CacheElement | ArchiveEntry;
type Changed = { before: Item; after: Item };

const isElement = (x: Item): x is CacheElement => 'type' in x && 'sha256' in x;
const nameOf = (x: Item) => (isElement(x) ? `${x.type}:${x.name}` : x.name);
/** Elements whose text reads line by line: the code-change view can show them. */
const hasCode = (x: Item) => isElement(x) && ['class', 'routine', 'csp'].includes(x.type);
const sizeOf = (x: Item) => (isElement(x) ? x.bytes : x.size);

/**
 * What changed between two versions of a channel's file, or against the file
 * of the previous release that reached production: added, removed and changed
 * elements, and for a changed class or routine, its code side by side.
 */
export function PackagesDiff(props: {
  release: string;
  app: string | undefined;
  channel: string;
  versions: PackageVersion[];
  selected: PackageVersion;
}) {
  const { release, app, channel, versions, selected } = props;
  const kind = selected.file?.kind;
  const sameKind = versions.filter((v) => v.file && v.file.kind === kind);
  const previous = Math.max(0, ...sameKind.filter((v) => v.version < selected.version).map((v) => v.version));
  const [mode, setMode] = useState<'versions' | 'production'>('versions');
  const [from, setFrom] = useState<string | null>(previous ? String(previous) : null);
  const [to, setTo] = useState<string>(String(selected.version));
  const [shown, setShown] = useState<string | null>(null);

  const comparison: Comparison =
    mode === 'production' ? { to: Number(to), against: 'production' } : { from: from ? Number(from) : undefined, to: Number(to) };
  const ready = mode === 'production' || (from !== null && from !== to);
  const q = usePackageDiff(release, app, channel, comparison, ready);
  const options = sameKind.map((v) => ({ value: String(v.version), label: `v${v.version} — ${v.file?.name ?? v.label}` }));

  return (
    <Stack gap="sm">
      <Radio.Group label="Compare with" value={mode} onChange={(v) => setMode(v)}>
        <Group mt={4}>
          <Radio value="versions" label="another version of this release" />
          <Radio value="production" label="the previous release in production" />
        </Group>
      </Radio.Group>
      <Group align="end">
        {mode === 'versions' && (
          <Select
            label="From version"
            data={options}
            value={from}
            onChange={setFrom}
            allowDeselect={false}
            placeholder="Choose a version"
            w={280}
          />
        )}
        <Select
          label={mode === 'versions' ? 'To version' : 'Version'}
          data={options}
          value={to}
          onChange={(v) => v && setTo(v)}
          allowDeselect={false}
          w={280}
        />
      </Group>
      {!ready && (
        <Text size="sm">
          {sameKind.length < 2
            ? 'There is only one version of this kind of file: nothing to compare it with yet.'
            : 'Choose two different versions.'}
        </Text>
      )}
      {ready && q.error && <ProblemAlert error={q.error} title="The versions could not be compared" />}
      {ready && !q.data && !q.error && <p role="status">Comparing…</p>}
      {ready && q.data && (
        <Stack gap="sm">
          <Text size="sm" role="status">
            {q.data.from.release} v{q.data.from.version} ({q.data.from.fileName ?? 'no file name'}) → {q.data.to.release} v
            {q.data.to.version} ({q.data.to.fileName ?? 'no file name'}): {q.data.added.length} added, {q.data.removed.length} removed,{' '}
            {q.data.changed.length} changed, {q.data.unchanged} unchanged.
          </Text>
          <ChangeList title="Added" items={q.data.added as Item[]} />
          <ChangeList title="Removed" items={q.data.removed as Item[]} />
          <Title order={5}>Changed ({q.data.changed.length})</Title>
          {q.data.changed.length === 0 ? (
            <Text size="sm">none</Text>
          ) : (
            <Table striped aria-label="Changed elements">
              <Table.Thead>
                <Table.Tr>
                  <Table.Th scope="col">Element</Table.Th>
                  <Table.Th scope="col">Size before</Table.Th>
                  <Table.Th scope="col">Size after</Table.Th>
                  <Table.Th scope="col">
                    <VisuallyHidden>Code</VisuallyHidden>
                  </Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {(q.data.changed as Changed[]).map((c) => (
                  <Table.Tr key={nameOf(c.after)}>
                    <Table.Th scope="row">
                      <Code>{nameOf(c.after)}</Code>
                    </Table.Th>
                    <Table.Td>{formatBytes(sizeOf(c.before))}</Table.Td>
                    <Table.Td>{formatBytes(sizeOf(c.after))}</Table.Td>
                    <Table.Td>
                      {hasCode(c.after) && (
                        <Button
                          size="compact-sm"
                          variant="light"
                          onClick={() => setShown(nameOf(c.after))}
                          aria-label={`Show code change of ${nameOf(c.after)}`}
                        >
                          Show code change
                        </Button>
                      )}
                    </Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          )}
        </Stack>
      )}
      <Modal
        opened={shown !== null}
        onClose={() => setShown(null)}
        title={shown ? `What changed in ${shown}` : ''}
        size="95%"
        closeButtonProps={{ 'aria-label': 'Close' }}
      >
        {shown && q.data && (
          <Suspense fallback={<p role="status">Loading the code…</p>}>
            <CodeDiffView
              release={release}
              app={app}
              channel={channel}
              element={shown}
              comparison={mode === 'production' ? comparison : { from: q.data.from.version, to: q.data.to.version }}
            />
          </Suspense>
        )}
      </Modal>
    </Stack>
  );
}

function ChangeList({ title, items }: { title: string; items: Item[] }) {
  return (
    <>
      <Title order={5}>
        {title} ({items.length})
      </Title>
      {items.length === 0 ? (
        <Text size="sm">none</Text>
      ) : (
        <Table striped aria-label={`${title} elements`}>
          <Table.Thead>
            <Table.Tr>
              <Table.Th scope="col">Element</Table.Th>
              <Table.Th scope="col">Size</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {items.map((x) => (
              <Table.Tr key={nameOf(x)}>
                <Table.Th scope="row">
                  <Code>{nameOf(x)}</Code>
                </Table.Th>
                <Table.Td>{formatBytes(sizeOf(x))}</Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      )}
    </>
  );
}
