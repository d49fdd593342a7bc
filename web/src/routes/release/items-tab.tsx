import { Anchor, Stack, Table, Text, Title } from '@mantine/core';
import { useMemo } from 'react';
import { Link } from 'react-router';
import { ProblemAlert } from '../../components/problem-alert';
import { useMe } from '../../session';
import { AttachItemForm, ItemActions } from './items-actions';
import { CreateItemForm } from './items-create';
import { ItemTestHistory } from './items-tests';
import { useReleaseDetail, useReleaseRef } from './queries';
import { testsByItem, useReleaseEvidence } from './tests-evidence';
import { useTemplateLists } from './tests-template';

/** The release's work items: what they change, how their tests went per environment, and (for coordinators) attach, move, detach. */
export default function ItemsTab() {
  const { name, app } = useReleaseRef();
  const me = useMe();
  const release = useReleaseDetail(name, app);
  const evidence = useReleaseEvidence(name, app);
  const lists = useTemplateLists(release.data);
  const tests = useMemo(() => testsByItem(evidence.data?.tests), [evidence.data]);
  const items = release.data?.items ?? [];
  const assign = me.can('item.assign');
  const q = app ? `?app=${encodeURIComponent(app)}` : '';

  return (
    <Stack>
      <Title order={2}>Work items</Title>
      {assign && <AttachItemForm name={name} app={app} />}
      {assign && me.can('item.create') && lists.data && <CreateItemForm name={name} app={app} kinds={lists.data.workItemKinds} />}
      <ProblemAlert error={evidence.error} title="The test history could not be shown" />
      {release.isPending ? (
        <p role="status">Loading…</p>
      ) : items.length === 0 ? (
        <Text>No work items are in this release.</Text>
      ) : (
        <Table.ScrollContainer minWidth={900}>
          <Table striped verticalSpacing="xs" aria-label={`Work items of ${name}`}>
            <Table.Thead>
              <Table.Tr>
                <Table.Th scope="col">Item</Table.Th>
                <Table.Th scope="col">Title</Table.Th>
                <Table.Th scope="col">Help desk</Table.Th>
                <Table.Th scope="col">Elements</Table.Th>
                <Table.Th scope="col">Tests per environment</Table.Th>
                {assign && <Table.Th scope="col">Change</Table.Th>}
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {items.map((i) => (
                <Table.Tr key={i.key}>
                  <Table.Td>
                    <Anchor component={Link} to={`/items/${encodeURIComponent(i.key)}${q}`} fw={600}>
                      {i.key}
                    </Anchor>
                    <Text size="xs">{i.kind}</Text>
                  </Table.Td>
                  <Table.Td>{i.title}</Table.Td>
                  <Table.Td>{i.helpdeskRef}</Table.Td>
                  <Table.Td>
                    {i.elements.length === 0 ? (
                      <Text size="sm">none</Text>
                    ) : (
                      <details>
                        <summary>
                          {i.elements.length} element{i.elements.length === 1 ? '' : 's'}
                        </summary>
                        <ul style={{ margin: '4px 0', paddingLeft: 20 }}>
                          {i.elements.map((el) => (
                            <li key={`${el.type}:${el.name}`}>
                              <Text size="sm" component="span">
                                {el.name} <em>({el.type})</em>
                              </Text>
                            </li>
                          ))}
                        </ul>
                      </details>
                    )}
                  </Table.Td>
                  <Table.Td>
                    <ItemTestHistory
                      item={i.key}
                      byEnv={tests.get(i.key)}
                      environments={lists.data?.environments}
                      causes={lists.data?.failureCauses}
                    />
                  </Table.Td>
                  {assign && (
                    <Table.Td>
                      <ItemActions name={name} app={app} item={i} />
                    </Table.Td>
                  )}
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      )}
    </Stack>
  );
}
