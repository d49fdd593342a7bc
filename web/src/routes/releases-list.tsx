import { Anchor, Button, Group, MultiSelect, Stack, Table, Text, TextInput, Title } from '@mantine/core';
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
import { ReleaseCreateModal } from './release-create-form';
import { Pager } from '../components/pager';

const PAGE = 50;
const FILTERS = ['state', 'type', 'channel', 'q', 'from', 'to'] as const;

export default function ReleasesPage() {
  usePageTitle('Releases');
  const me = useMe();
  const [creating, setCreating] = useState(false);
  const template = useTemplateChoices();
  const f = useUrlFilters(FILTERS);
  const { values } = f;
  const offset = (f.page - 1) * PAGE;
  const query = {
    ...Object.fromEntries(Object.entries(values).filter(([, v]) => v !== '')),
    limit: PAGE,
    offset,
  };
  const releases = useQuery({
    queryKey: ['releases', 'list', query],
    queryFn: async () => data(await api.GET('/api/v1/releases', { params: { query } })),
    placeholderData: keepPreviousData,
  });
  const t = template.data;
  const search = (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    f.set({ q: formText(new FormData(e.currentTarget), 'q').trim() });
  };
  const r = releases.data;

  return (
    <Stack>
      <Group justify="space-between">
        <Title order={1}>Releases</Title>
        {me.can('release.create') && <Button onClick={() => setCreating(true)}>New release</Button>}
      </Group>
      {creating && <ReleaseCreateModal onClose={() => setCreating(false)} />}

      <Stack gap="xs" component="section" aria-label="Filters">
        <form onSubmit={search} role="search" aria-label="Search releases">
          <Group align="end" gap="xs">
            <TextInput key={values.q} name="q" label="Name or help-desk reference" defaultValue={values.q} w={280} />
            <Button type="submit" variant="light">
              Search
            </Button>
          </Group>
        </form>
        <Group align="end" gap="xs">
          <MultiSelect
            label="State"
            data={(t?.states ?? []).map((s) => ({ value: s.id, label: s.name }))}
            value={f.list('state')}
            onChange={(v) => f.set({ state: v })}
            clearable
            searchable
            w={260}
          />
          <MultiSelect
            label="Type"
            data={(t?.releaseTypes ?? []).map((s) => ({ value: s.id, label: s.name }))}
            value={f.list('type')}
            onChange={(v) => f.set({ type: v })}
            clearable
            searchable
            w={200}
          />
          <MultiSelect
            label="Channel"
            data={(t?.channels ?? []).map((s) => ({ value: s.id, label: s.name }))}
            value={f.list('channel')}
            onChange={(v) => f.set({ channel: v })}
            clearable
            searchable
            w={220}
          />
          <TextInput type="date" label="Planned from" value={values.from} onChange={(e) => f.set({ from: e.currentTarget.value })} />
          <TextInput type="date" label="Planned until" value={values.to} onChange={(e) => f.set({ to: e.currentTarget.value })} />
          <Button variant="subtle" onClick={f.clear}>
            Clear filters
          </Button>
        </Group>
      </Stack>

      <ProblemAlert error={releases.error} title="The releases could not be listed" />
      {releases.isPending && <p role="status">Loading releases…</p>}
      {r && (
        <>
          <Text role="status" size="sm">
            {r.total === 0
              ? 'No release matches.'
              : `Showing ${offset + 1}–${offset + r.items.length} of ${r.total} release${r.total === 1 ? '' : 's'}`}
          </Text>
          {r.items.length > 0 && (
            <Table.ScrollContainer minWidth={800}>
              <Table striped highlightOnHover aria-label="Releases">
                <Table.Thead>
                  <Table.Tr>
                    <Table.Th>Release</Table.Th>
                    <Table.Th>Type</Table.Th>
                    <Table.Th>State</Table.Th>
                    <Table.Th>Planned</Table.Th>
                    <Table.Th>Change cycle</Table.Th>
                    <Table.Th>Channels</Table.Th>
                    <Table.Th>Owner</Table.Th>
                  </Table.Tr>
                </Table.Thead>
                <Table.Tbody>
                  {r.items.map((x) => (
                    <Table.Tr key={x.name}>
                      <Table.Td>
                        <Anchor component={Link} to={`/releases/${encodeURIComponent(x.name)}`} fw={500}>
                          {x.name}
                        </Anchor>
                        {x.title && <Text size="sm">{x.title}</Text>}
                      </Table.Td>
                      <Table.Td>{nameOf(t?.releaseTypes, x.type)}</Table.Td>
                      <Table.Td>{nameOf(t?.states, x.state)}</Table.Td>
                      <Table.Td>{x.plannedDate}</Table.Td>
                      <Table.Td>{x.cycle ? `${x.cycle.date}${x.cycle.status === 'cancelled' ? ' (cancelled)' : ''}` : '—'}</Table.Td>
                      <Table.Td>{x.channels.map((c) => nameOf(t?.channels, c)).join(', ')}</Table.Td>
                      <Table.Td>{x.createdBy}</Table.Td>
                    </Table.Tr>
                  ))}
                </Table.Tbody>
              </Table>
            </Table.ScrollContainer>
          )}
          <Pager label="Pages of releases" page={f.page} pageSize={PAGE} total={r.total} go={(page) => f.set({ page: String(page) })} />
        </>
      )}
    </Stack>
  );
}
