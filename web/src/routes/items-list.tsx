import { Anchor, Button, Group, MultiSelect, NativeSelect, Stack, Table, Text, TextInput, Title } from '@mantine/core';
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { Link } from 'react-router';
import { api, data } from '../api/client';
import { formText } from '../components/form-value';
import { ProblemAlert } from '../components/problem-alert';
import { usePageTitle } from '../components/page-title';
import { nameOf, useTemplateChoices } from '../components/releases-template';
import { useUrlFilters } from '../components/releases-url-filters';
import { useMe } from '../session';
import { ItemCreateModal } from './item-create-form';
import { Pager } from '../components/pager';

const PAGE = 50;
const FILTERS = ['kind', 'q', 'release'] as const;

export default function ItemsPage() {
  usePageTitle('Work items');
  const me = useMe();
  const [creating, setCreating] = useState(false);
  const template = useTemplateChoices();
  const t = template.data;
  const f = useUrlFilters(FILTERS);
  const offset = (f.page - 1) * PAGE;
  const query = {
    ...(f.values.kind ? { kind: f.values.kind } : {}),
    ...(f.values.q ? { q: f.values.q } : {}),
    ...(f.values.release ? { release: f.values.release } : {}),
    limit: PAGE,
    offset,
  };
  const items = useQuery({
    queryKey: ['items', 'list', query],
    queryFn: async () => data(await api.GET('/api/v1/items', { params: { query } })),
    placeholderData: keepPreviousData,
  });
  const search = (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    f.set({ q: formText(new FormData(e.currentTarget), 'q').trim() });
  };
  const r = items.data;

  return (
    <Stack>
      <Group justify="space-between">
        <Title order={1}>Work items</Title>
        {me.can('item.create') && <Button onClick={() => setCreating(true)}>New work item</Button>}
      </Group>
      {creating && <ItemCreateModal onClose={() => setCreating(false)} />}

      <Group align="end" gap="xs" component="section" aria-label="Filters">
        <form onSubmit={search} role="search" aria-label="Search work items">
          <Group align="end" gap="xs">
            <TextInput key={f.values.q} name="q" label="Key, title or help-desk reference" defaultValue={f.values.q} w={280} />
            <Button type="submit" variant="light">
              Search
            </Button>
          </Group>
        </form>
        <MultiSelect
          label="Kind"
          data={(t?.workItemKinds ?? []).map((k) => ({ value: k.id, label: `${k.id} — ${k.name}` }))}
          value={f.list('kind')}
          onChange={(v) => f.set({ kind: v })}
          clearable
          searchable
          w={320}
        />
        <NativeSelect
          label="Release"
          value={f.values.release === 'none' ? 'none' : f.values.release ? 'named' : ''}
          onChange={(e) => f.set({ release: e.currentTarget.value === 'none' ? 'none' : '' })}
          data={[
            { value: '', label: 'Any' },
            { value: 'none', label: 'In no release' },
            ...(f.values.release && f.values.release !== 'none' ? [{ value: 'named', label: `In ${f.values.release}` }] : []),
          ]}
        />
        <Button variant="subtle" onClick={f.clear}>
          Clear filters
        </Button>
      </Group>

      <ProblemAlert error={items.error} title="The work items could not be listed" />
      {items.isPending && <p role="status">Loading work items…</p>}
      {r && (
        <>
          <Text role="status" size="sm">
            {r.total === 0
              ? 'No work item matches.'
              : `Showing ${offset + 1}–${offset + r.items.length} of ${r.total} work item${r.total === 1 ? '' : 's'}`}
          </Text>
          {r.items.length > 0 && (
            <Table.ScrollContainer minWidth={800}>
              <Table striped highlightOnHover aria-label="Work items">
                <Table.Thead>
                  <Table.Tr>
                    <Table.Th>Item</Table.Th>
                    <Table.Th>Title</Table.Th>
                    <Table.Th>Help-desk reference</Table.Th>
                    <Table.Th>Priority</Table.Th>
                    <Table.Th>Release</Table.Th>
                    <Table.Th>Owner</Table.Th>
                  </Table.Tr>
                </Table.Thead>
                <Table.Tbody>
                  {r.items.map((i) => (
                    <Table.Tr key={i.key}>
                      <Table.Td>
                        <Anchor component={Link} to={`/items/${encodeURIComponent(i.key)}`} fw={500}>
                          {i.key}
                        </Anchor>
                      </Table.Td>
                      <Table.Td>{i.title}</Table.Td>
                      <Table.Td>{i.helpdeskRef}</Table.Td>
                      <Table.Td>{nameOf(t?.priorities, i.priority)}</Table.Td>
                      <Table.Td>
                        {i.release ? (
                          <Anchor component={Link} to={`/releases/${encodeURIComponent(i.release)}`}>
                            {i.release}
                          </Anchor>
                        ) : (
                          'none'
                        )}
                      </Table.Td>
                      <Table.Td>{i.owner ?? '—'}</Table.Td>
                    </Table.Tr>
                  ))}
                </Table.Tbody>
              </Table>
            </Table.ScrollContainer>
          )}
          <Pager label="Pages of work items" page={f.page} pageSize={PAGE} total={r.total} go={(page) => f.set({ page: String(page) })} />
        </>
      )}
    </Stack>
  );
}
