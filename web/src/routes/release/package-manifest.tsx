import { Badge, Code, Group, List, Stack, Table, Tabs, Text, TextInput, Title } from '@mantine/core';
import { useState } from 'react';
import { formatBytes } from './packages-queries';

/** A release file's element, as the manifest lists it (src/integrations/xml/cache-export-types.ts). */
export type CacheElement = { type: string; name: string; sha256: string; bytes: number; items?: { name: string; type: string }[] };
type CacheManifest = {
  format: 'cache-export';
  generator: string | null;
  version: string | null;
  zv: string | null;
  ts: string | null;
  elements: CacheElement[];
};
/** An archive entry (src/integrations/zip/archive-types.ts). */
export type ArchiveEntry = { name: string; directory: boolean; size: number; compressedSize: number; crc32: string; method: string };
type ArchiveManifest = {
  format: 'zip' | 'war';
  entries: ArchiveEntry[];
  totalSize: number;
  totalCompressedSize: number;
  war?: { webXml: boolean; libJars: string[]; classes: number };
};

const isCache = (m: unknown): m is CacheManifest => !!m && typeof m === 'object' && (m as { format?: unknown }).format === 'cache-export';
const isArchive = (m: unknown): m is ArchiveManifest =>
  !!m && typeof m === 'object' && ['zip', 'war'].includes(String((m as { format?: unknown }).format));

const GROUPS = [
  { type: 'class', label: 'Classes' },
  { type: 'routine', label: 'Routines' },
  { type: 'csp', label: 'CSP pages' },
  { type: 'global', label: 'Globals' },
  { type: 'project', label: 'Projects' },
  { type: 'document', label: 'Documents' },
  { type: 'other', label: 'Other' },
] as const;

function useFilter() {
  const [text, setText] = useState('');
  const needle = text.trim().toLowerCase();
  return { text, setText, matches: (s: string) => !needle || s.toLowerCase().includes(needle) };
}

/** What one version's file holds: a release file's elements by type, or an archive's entries. */
export function PackageManifest({ manifest, label }: { manifest: unknown; label: string }) {
  if (isCache(manifest)) return <CacheContents m={manifest} label={label} />;
  if (isArchive(manifest)) return <ArchiveContents m={manifest} label={label} />;
  return <Text size="sm">This version was recorded by label only: relman holds no file, so there are no contents to show.</Text>;
}

function CacheContents({ m, label }: { m: CacheManifest; label: string }) {
  const f = useFilter();
  const present = GROUPS.filter((g) => m.elements.some((e) => e.type === g.type));
  return (
    <Stack gap="sm">
      <Text size="sm">
        Caché/IRIS export{m.generator ? ` by ${m.generator}` : ''}
        {m.zv ? `, ${m.zv}` : ''}
        {m.ts ? `, exported ${m.ts}` : ''}: {m.elements.length} elements.
      </Text>
      <TextInput label="Filter elements by name" value={f.text} onChange={(e) => f.setText(e.currentTarget.value)} maw={360} />
      {present.length === 0 ? (
        <Text size="sm">The file holds no elements.</Text>
      ) : (
        <Tabs defaultValue={present[0]?.type} keepMounted={false}>
          <Tabs.List aria-label={`Element types in ${label}`}>
            {present.map((g) => (
              <Tabs.Tab key={g.type} value={g.type}>
                {g.label} ({m.elements.filter((e) => e.type === g.type && f.matches(e.name)).length})
              </Tabs.Tab>
            ))}
          </Tabs.List>
          {present.map((g) => {
            const rows = m.elements.filter((e) => e.type === g.type && f.matches(e.name));
            return (
              <Tabs.Panel key={g.type} value={g.type} pt="xs">
                <Table.ScrollContainer minWidth={500}>
                  <Table striped aria-label={`${g.label} in ${label}`}>
                    <Table.Thead>
                      <Table.Tr>
                        <Table.Th scope="col">Name</Table.Th>
                        <Table.Th scope="col">Size</Table.Th>
                        {g.type === 'project' && <Table.Th scope="col">Items</Table.Th>}
                        <Table.Th scope="col">Content SHA-256</Table.Th>
                      </Table.Tr>
                    </Table.Thead>
                    <Table.Tbody>
                      {rows.map((e, i) => (
                        <Table.Tr key={`${e.name}-${i}`}>
                          <Table.Th scope="row" fw={500}>
                            {e.name}
                          </Table.Th>
                          <Table.Td>{formatBytes(e.bytes)}</Table.Td>
                          {g.type === 'project' && (
                            <Table.Td>
                              {(e.items ?? []).length === 0 ? 'none' : (e.items ?? []).map((it) => `${it.name} (${it.type})`).join(', ')}
                            </Table.Td>
                          )}
                          <Table.Td>
                            <Code>{e.sha256.slice(0, 16)}…</Code>
                          </Table.Td>
                        </Table.Tr>
                      ))}
                    </Table.Tbody>
                  </Table>
                </Table.ScrollContainer>
                {rows.length === 0 && <Text size="sm">No {g.label.toLowerCase()} match the filter.</Text>}
              </Tabs.Panel>
            );
          })}
        </Tabs>
      )}
    </Stack>
  );
}

function ArchiveContents({ m, label }: { m: ArchiveManifest; label: string }) {
  const f = useFilter();
  const rows = m.entries.filter((e) => f.matches(e.name));
  return (
    <Stack gap="sm">
      <Text size="sm">
        {m.format === 'war' ? 'WAR' : 'ZIP'} archive: {m.entries.length} entries, {formatBytes(m.totalSize)} unpacked (
        {formatBytes(m.totalCompressedSize)} packed).
      </Text>
      {m.war && (
        <Stack gap={4}>
          <Title order={5}>Web application</Title>
          <Group gap="xs">
            <Text size="sm">WEB-INF/web.xml:</Text>
            <Badge variant="outline" color="gray.8">
              {m.war.webXml ? 'present' : 'missing'}
            </Badge>
            <Text size="sm">· {m.war.classes} classes under WEB-INF/classes</Text>
          </Group>
          <Text size="sm">Bundled jars ({m.war.libJars.length}):</Text>
          {m.war.libJars.length === 0 ? (
            <Text size="sm">none</Text>
          ) : (
            <List size="sm" aria-label={`Jars bundled in ${label}`}>
              {m.war.libJars.map((j) => (
                <List.Item key={j}>
                  <Code>{j}</Code>
                </List.Item>
              ))}
            </List>
          )}
        </Stack>
      )}
      <TextInput label="Filter entries by path" value={f.text} onChange={(e) => f.setText(e.currentTarget.value)} maw={360} />
      <Table.ScrollContainer minWidth={500}>
        <Table striped aria-label={`Entries of ${label}`}>
          <Table.Thead>
            <Table.Tr>
              <Table.Th scope="col">Path</Table.Th>
              <Table.Th scope="col">Size</Table.Th>
              <Table.Th scope="col">Packed</Table.Th>
              <Table.Th scope="col">CRC-32</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {rows.map((e, i) => (
              <Table.Tr key={`${e.name}-${i}`}>
                <Table.Th scope="row" fw={500}>
                  {e.name}
                  {e.directory ? ' (folder)' : ''}
                </Table.Th>
                <Table.Td>{formatBytes(e.size)}</Table.Td>
                <Table.Td>{formatBytes(e.compressedSize)}</Table.Td>
                <Table.Td>
                  <Code>{e.crc32}</Code>
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </Table.ScrollContainer>
      {rows.length === 0 && <Text size="sm">No entries match the filter.</Text>}
    </Stack>
  );
}
