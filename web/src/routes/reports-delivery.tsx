import { Anchor, Paper, Table, Text, Title } from '@mantine/core';
import { Link } from 'react-router';
import { DeploymentsChart } from './reports-charts';
import { ReleaseLinks } from './reports-links';
import { hours, releasePath, type Delivery } from './reports-queries';

const percent = (rate: number | null): string => (rate === null ? '—' : `${Math.round(rate * 1000) / 10} %`);

export function DeliverySection({ delivery: d }: { delivery: Delivery }) {
  const figures: { name: string; value: string; releases: string[] }[] = [
    { name: 'Deployments to production', value: String(d.deploymentFrequency.count), releases: d.deployed.map((r) => r.release) },
    { name: 'Lead time, median', value: hours(d.leadTime.medianHours), releases: d.leadTime.releases },
    { name: 'Lead time, 90th percentile', value: hours(d.leadTime.p90Hours), releases: d.leadTime.releases },
    {
      name: 'Change failure rate',
      value: `${percent(d.changeFailure.rate)} (${d.changeFailure.failures.length} of ${d.changeFailure.deployed})`,
      releases: d.changeFailure.releases,
    },
    { name: 'Time to restore, median', value: hours(d.timeToRestore.medianHours), releases: d.timeToRestore.releases },
  ];
  return (
    <Paper withBorder p="md" component="section" aria-labelledby="delivery-title">
      <Title order={2} size="h3" id="delivery-title" mb="sm">
        Delivery figures
      </Title>
      <Table aria-label="Delivery figures">
        <Table.Thead>
          <Table.Tr>
            <Table.Th>Figure</Table.Th>
            <Table.Th>Value</Table.Th>
            <Table.Th>Releases behind it</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {figures.map((f) => (
            <Table.Tr key={f.name}>
              <Table.Th scope="row">{f.name}</Table.Th>
              <Table.Td>{f.value}</Table.Td>
              <Table.Td>
                <ReleaseLinks names={f.releases} />
              </Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
      <Text size="sm" c="dimmed" mt="xs">
        A release failed when it was rolled back, or followed within {d.changeFailure.windowDays} days by an emergency release carrying one
        of its elements.
      </Text>

      <Title order={3} size="h4" mt="md" mb="xs">
        Deployments per week
      </Title>
      <DeploymentsChart delivery={d} />
      <Table striped aria-label="Deployments per week">
        <Table.Thead>
          <Table.Tr>
            <Table.Th>Week of</Table.Th>
            <Table.Th>Deployments</Table.Th>
            <Table.Th>Releases</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {d.deploymentFrequency.perWeek.map((w) => (
            <Table.Tr key={w.week}>
              <Table.Td>{w.week}</Table.Td>
              <Table.Td>{w.releases.length}</Table.Td>
              <Table.Td>
                <ReleaseLinks names={w.releases} />
              </Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>

      {d.changeFailure.failures.length > 0 && (
        <>
          <Title order={3} size="h4" mt="md" mb="xs">
            Failed releases
          </Title>
          <Table striped aria-label="Failed releases and time to restore">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Release</Table.Th>
                <Table.Th>In production</Table.Th>
                <Table.Th>Failure</Table.Th>
                <Table.Th>Restored</Table.Th>
                <Table.Th>Time to restore</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {d.changeFailure.failures.map((f) => (
                <Table.Tr key={f.release}>
                  <Table.Td>
                    <Anchor component={Link} to={releasePath(f.release)}>
                      {f.release}
                    </Anchor>
                  </Table.Td>
                  <Table.Td>{new Date(f.productionAt).toLocaleString()}</Table.Td>
                  <Table.Td>{f.how === 'rollback' ? 'Rolled back' : 'Emergency release followed'}</Table.Td>
                  <Table.Td>
                    {new Date(f.restoredAt).toLocaleString()}
                    {f.restoredBy && (
                      <>
                        {' by '}
                        <Anchor component={Link} to={releasePath(f.restoredBy)}>
                          {f.restoredBy}
                        </Anchor>
                      </>
                    )}
                  </Table.Td>
                  <Table.Td>{hours(f.hoursToRestore)}</Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </>
      )}
    </Paper>
  );
}
