import { Anchor, Stack, Table, Text, Title } from '@mantine/core';
import { Link } from 'react-router';
import { ProblemAlert } from '../../components/problem-alert';
import { useReleasesByVersion, type VersionSummary } from './templates-queries';

/** Which releases run under which version: a release keeps the version it was created under. */
export default function TemplateReleases({ templateKey, versions }: { templateKey: string; versions: VersionSummary[] }) {
  const releases = useReleasesByVersion(templateKey);
  return (
    <Stack>
      <Title order={2}>Releases per version</Title>
      <ProblemAlert error={releases.error} title="The releases could not be shown" />
      {!releases.data ? (
        <p role="status">Loading…</p>
      ) : (
        versions.map((v) => {
          const list = releases.data.get(v.version) ?? [];
          return (
            <Stack key={v.version} gap="xs">
              <Title order={3}>
                Version {v.version} ({list.length} release{list.length === 1 ? '' : 's'})
              </Title>
              {list.length === 0 ? (
                <Text>No release runs under version {v.version}.</Text>
              ) : (
                <Table striped aria-label={`Releases under version ${v.version}`}>
                  <Table.Thead>
                    <Table.Tr>
                      <Table.Th scope="col">Release</Table.Th>
                      <Table.Th scope="col">Application</Table.Th>
                      <Table.Th scope="col">Title</Table.Th>
                      <Table.Th scope="col">State</Table.Th>
                      <Table.Th scope="col">Planned</Table.Th>
                    </Table.Tr>
                  </Table.Thead>
                  <Table.Tbody>
                    {list.map((r) => (
                      <Table.Tr key={`${r.application}/${r.name}`}>
                        <Table.Td>
                          <Anchor component={Link} to={`/releases/${encodeURIComponent(r.name)}?app=${encodeURIComponent(r.application)}`}>
                            {r.name}
                          </Anchor>
                        </Table.Td>
                        <Table.Td>{r.application}</Table.Td>
                        <Table.Td>{r.title}</Table.Td>
                        <Table.Td>{r.state}</Table.Td>
                        <Table.Td>{r.plannedDate}</Table.Td>
                      </Table.Tr>
                    ))}
                  </Table.Tbody>
                </Table>
              )}
            </Stack>
          );
        })
      )}
    </Stack>
  );
}
