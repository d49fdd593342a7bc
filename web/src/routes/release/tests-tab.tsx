import { Stack, Table, Text, Title } from '@mantine/core';
import { ProblemAlert } from '../../components/problem-alert';
import { useMe } from '../../session';
import { IssuesSection } from './issues-section';
import { useReleaseDetail, useReleaseRef } from './queries';
import { packagesText, useReleaseEvidence, when } from './tests-evidence';
import { RecordTestForm } from './tests-record';
import { nameOf, useTemplateLists } from './tests-template';

/** Test attempts of the release's items (who, when, on which package versions) and the issues raised on it. */
export default function TestsTab() {
  const { name, app } = useReleaseRef();
  const me = useMe();
  const release = useReleaseDetail(name, app);
  const evidence = useReleaseEvidence(name, app);
  const lists = useTemplateLists(release.data);
  const tests = [...(evidence.data?.tests ?? [])].sort((a, b) => b.recordedAt.localeCompare(a.recordedAt));

  if (evidence.error) return <ProblemAlert error={evidence.error} title="Tests and issues could not be shown" />;
  return (
    <Stack gap="xl">
      <Stack>
        <Title order={2}>Tests</Title>
        {me.can('test.record') && release.data && lists.data && (
          <RecordTestForm name={name} app={app} items={release.data.items} lists={lists.data} />
        )}
        {evidence.isPending ? (
          <p role="status">Loading…</p>
        ) : tests.length === 0 ? (
          <Text>No test attempts have been recorded.</Text>
        ) : (
          <Table.ScrollContainer minWidth={800}>
            <Table striped aria-label={`Test attempts of ${name}, newest first`}>
              <Table.Thead>
                <Table.Tr>
                  <Table.Th scope="col">When</Table.Th>
                  <Table.Th scope="col">Item</Table.Th>
                  <Table.Th scope="col">Environment</Table.Th>
                  <Table.Th scope="col">Result</Table.Th>
                  <Table.Th scope="col">Cause</Table.Th>
                  <Table.Th scope="col">Packages tested</Table.Th>
                  <Table.Th scope="col">By</Table.Th>
                  <Table.Th scope="col">Notes</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {tests.map((t) => (
                  <Table.Tr key={t.id}>
                    <Table.Td>{when(t.recordedAt)}</Table.Td>
                    <Table.Td>{t.item}</Table.Td>
                    <Table.Td>{nameOf(lists.data?.environments, t.environment)}</Table.Td>
                    <Table.Td>
                      <Text fw={600} component="span">
                        {t.result}
                      </Text>
                    </Table.Td>
                    <Table.Td>{nameOf(lists.data?.failureCauses, t.cause)}</Table.Td>
                    <Table.Td>{packagesText(t.packages) || 'none recorded'}</Table.Td>
                    <Table.Td>{t.recordedBy}</Table.Td>
                    <Table.Td>{t.notes}</Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </Table.ScrollContainer>
        )}
      </Stack>
      {evidence.data && (
        <IssuesSection name={name} app={app} issues={evidence.data.issues} categories={lists.data?.issueCategories ?? []} />
      )}
    </Stack>
  );
}
