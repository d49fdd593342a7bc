import { Button, Code, Table } from '@mantine/core';
import type { VersionSummary } from './templates-queries';

/** Each version's document-control record, newest first. */
export default function VersionsTable({ versions, onRead }: { versions: VersionSummary[]; onRead: (version: number) => void }) {
  return (
    <Table.ScrollContainer minWidth={1000}>
      <Table striped aria-label="Versions with their document-control records, newest first">
        <Table.Thead>
          <Table.Tr>
            <Table.Th scope="col">Version</Table.Th>
            <Table.Th scope="col">Changes</Table.Th>
            <Table.Th scope="col">Sections changed</Table.Th>
            <Table.Th scope="col">Prepared by</Table.Th>
            <Table.Th scope="col">Reviewed by</Table.Th>
            <Table.Th scope="col">Published</Table.Th>
            <Table.Th scope="col">SHA-256</Table.Th>
            <Table.Th scope="col">YAML</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {versions.map((v, i) => (
            <Table.Tr key={v.version}>
              <Table.Td>
                {v.version}
                {i === 0 ? ' (in force)' : ''}
              </Table.Td>
              <Table.Td style={{ whiteSpace: 'pre-wrap' }}>{v.changes}</Table.Td>
              <Table.Td>{v.sectionsChanged.join(', ')}</Table.Td>
              <Table.Td>{v.preparedBy ?? '—'}</Table.Td>
              <Table.Td>{v.reviewedBy ?? '—'}</Table.Td>
              <Table.Td>
                {v.publishedBy}, {new Date(v.publishedAt).toLocaleString()}
              </Table.Td>
              <Table.Td>
                <Code title={v.sha256}>{v.sha256.slice(0, 12)}…</Code>
              </Table.Td>
              <Table.Td>
                <Button size="xs" variant="default" onClick={() => onRead(v.version)} aria-label={`Read version ${v.version}`}>
                  Read
                </Button>
              </Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </Table.ScrollContainer>
  );
}
