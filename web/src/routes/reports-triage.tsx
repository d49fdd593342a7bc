import { Anchor, Paper, Table, Text, Title } from '@mantine/core';
import { Link } from 'react-router';
import { FailuresChart } from './reports-charts';
import { ReleaseLinks } from './reports-links';
import { releasePath, type Triage } from './reports-queries';

type Row = Triage['total'];

function Counts({ row, causes }: { row: Row; causes: string[] }) {
  return (
    <>
      {causes.map((c) => (
        <Table.Td key={c}>{row.byCause[c] ?? 0}</Table.Td>
      ))}
      <Table.Td>{row.failures}</Table.Td>
      <Table.Td>{row.retested}</Table.Td>
      <Table.Td>{row.awaitingRetest}</Table.Td>
      <Table.Td>{row.retestsNeeded}</Table.Td>
    </>
  );
}

function CountHeads({ causes }: { causes: string[] }) {
  return (
    <>
      {causes.map((c) => (
        <Table.Th key={c}>Failed: {c}</Table.Th>
      ))}
      <Table.Th>Failures</Table.Th>
      <Table.Th>Retested</Table.Th>
      <Table.Th>Awaiting retest</Table.Th>
      <Table.Th>Retests needed</Table.Th>
    </>
  );
}

export function TriageSection({ triage }: { triage: Triage }) {
  const { causes } = triage;
  return (
    <Paper withBorder p="md" component="section" aria-labelledby="triage-title">
      <Title order={2} size="h3" id="triage-title" mb="sm">
        Acceptance-test triage
      </Title>
      {triage.byRelease.length === 0 ? (
        <Text>No test attempt was recorded in this period.</Text>
      ) : (
        <>
          <Title order={3} size="h4" mb="xs">
            Per release
          </Title>
          <FailuresChart triage={triage} />
          <Table.ScrollContainer minWidth={700}>
            <Table striped aria-label="Test failures by cause per release">
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>Release</Table.Th>
                  <Table.Th>Attempts</Table.Th>
                  <CountHeads causes={causes} />
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {triage.byRelease.map((r) => (
                  <Table.Tr key={r.release}>
                    <Table.Td>
                      <Anchor component={Link} to={releasePath(r.release)}>
                        {r.release}
                      </Anchor>
                    </Table.Td>
                    <Table.Td>{r.attempts}</Table.Td>
                    <Counts row={r} causes={causes} />
                  </Table.Tr>
                ))}
                <Table.Tr>
                  <Table.Th scope="row">All</Table.Th>
                  <Table.Td>{triage.total.attempts}</Table.Td>
                  <Counts row={triage.total} causes={causes} />
                </Table.Tr>
              </Table.Tbody>
            </Table>
          </Table.ScrollContainer>
          <Title order={3} size="h4" mt="md" mb="xs">
            Per change cycle
          </Title>
          <Table.ScrollContainer minWidth={700}>
            <Table striped aria-label="Test failures by cause per change cycle">
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>Change cycle</Table.Th>
                  <Table.Th>Releases</Table.Th>
                  <CountHeads causes={causes} />
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {triage.byCycle.map((c) => (
                  <Table.Tr key={c.cycle ?? 'none'}>
                    <Table.Td>{c.cycle ?? 'Not booked'}</Table.Td>
                    <Table.Td>
                      <ReleaseLinks names={c.releases} />
                    </Table.Td>
                    <Counts row={c} causes={causes} />
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </Table.ScrollContainer>
        </>
      )}
    </Paper>
  );
}
