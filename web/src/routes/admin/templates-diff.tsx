import { Badge, Group, Select, Stack, Table, Text, Title } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { ProblemAlert } from '../../components/problem-alert';
import { useVersion, type VersionSummary } from './templates-queries';
import { compareSections, type SectionChange } from './templates-sections';

// Dark enough for white badge text (WCAG AA).
const STATUS_COLOUR = { unchanged: 'gray', changed: '#a63d00', added: '#1d5e20', removed: '#a51d1d' } as const;

function SectionDiff({ change }: { change: SectionChange }) {
  const lines = useQuery({
    queryKey: ['template-diff', change.before, change.after],
    staleTime: Infinity,
    queryFn: async () => (await import('diff')).diffLines(change.before, change.after),
  });
  if (!lines.data) return <p role="status">Comparing…</p>;
  return (
    <pre
      role="region"
      aria-label={`Changes to ${change.section}`}
      tabIndex={0}
      style={{ margin: 0, fontSize: 13, maxHeight: '24rem', overflow: 'auto', border: '1px solid #ced4da', borderRadius: 4, padding: 8 }}
    >
      {lines.data.flatMap((part, i) =>
        part.value
          .replace(/\n$/, '')
          .split('\n')
          .map((text, j) => (
            <div
              key={`${i}-${j}`}
              style={{
                background: part.added ? '#d3f9d8' : part.removed ? '#ffe3e3' : undefined,
                color: part.added || part.removed ? '#1a1b1e' : '#3d4246',
              }}
            >
              {part.added ? '+ ' : part.removed ? '- ' : '  '}
              {text}
            </div>
          )),
      )}
    </pre>
  );
}

/** Two versions side by side, section by section: what each top-level section became, and the lines that differ. */
export default function TemplateDiff({ templateKey, versions }: { templateKey: string; versions: VersionSummary[] }) {
  const newest = versions[0]?.version ?? 1;
  const [from, setFrom] = useState<string>(String(Math.max(1, newest - 1)));
  const [to, setTo] = useState<string>(String(newest));
  const a = useVersion(templateKey, Number(from));
  const b = useVersion(templateKey, Number(to));
  const options = versions.map((v) => ({ value: String(v.version), label: `Version ${v.version}` }));
  const changes = a.data && b.data ? compareSections(a.data, b.data) : null;
  const differing = changes?.filter((c) => c.status !== 'unchanged') ?? [];
  return (
    <Stack>
      <Title order={2}>Differences between versions</Title>
      <Group>
        <Select label="From version" data={options} value={from} onChange={(v) => v && setFrom(v)} allowDeselect={false} />
        <Select label="To version" data={options} value={to} onChange={(v) => v && setTo(v)} allowDeselect={false} />
      </Group>
      <ProblemAlert error={a.error ?? b.error} title="The versions could not be compared" />
      {!changes ? (
        <p role="status">Loading…</p>
      ) : (
        <>
          <Table striped aria-label={`Sections of version ${from} and version ${to}`}>
            <Table.Thead>
              <Table.Tr>
                <Table.Th scope="col">Section</Table.Th>
                <Table.Th scope="col">
                  Between version {from} and version {to}
                </Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {changes.map((c) => (
                <Table.Tr key={c.section}>
                  <Table.Td>{c.section}</Table.Td>
                  <Table.Td>
                    <Badge color={STATUS_COLOUR[c.status]} variant={c.status === 'unchanged' ? 'outline' : 'filled'}>
                      {c.status}
                    </Badge>
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
          {differing.length === 0 ? (
            <Text>The two versions are the same.</Text>
          ) : (
            differing.map((c) => (
              <Stack key={c.section} gap="xs">
                <Title order={3}>
                  {c.section} ({c.status})
                </Title>
                <SectionDiff change={c} />
              </Stack>
            ))
          )}
        </>
      )}
    </Stack>
  );
}
