import { Button, Group, Modal, Select, Stack, Table, Text, Textarea, TextInput, Title } from '@mantine/core';
import { useState, type FormEvent } from 'react';
import { api, data } from '../../api/client';
import { fieldProblems } from '../../api/problem';
import { formText } from '../../components/form-value';
import { ProblemAlert } from '../../components/problem-alert';
import { useMe } from '../../session';
import { useReleaseWrite } from './queries';
import { when, type Issue } from './tests-evidence';
import { nameOf, type Named } from './tests-template';

type Status = 'resolved' | 'wont-fix' | 'open';
const VERB: Record<Status, string> = { resolved: 'Resolve', 'wont-fix': 'Close as won’t fix', open: 'Reopen' };

/** Issues raised on the release (found in acceptance test, pending project issues): list, raise, resolve. */
export function IssuesSection({
  name,
  app,
  issues,
  categories,
}: {
  name: string;
  app: string | undefined;
  issues: Issue[];
  categories: Named[];
}) {
  const me = useMe();
  const resolveAllowed = me.can('issue.resolve');
  return (
    <Stack>
      <Title order={2}>Issues</Title>
      {me.can('issue.raise') && <RaiseIssueForm name={name} app={app} categories={categories} />}
      {issues.length === 0 ? (
        <Text>No issues have been raised on this release.</Text>
      ) : (
        <Table.ScrollContainer minWidth={800}>
          <Table striped aria-label={`Issues of ${name}`}>
            <Table.Thead>
              <Table.Tr>
                <Table.Th scope="col">#</Table.Th>
                <Table.Th scope="col">Category</Table.Th>
                <Table.Th scope="col">Title</Table.Th>
                <Table.Th scope="col">Status</Table.Th>
                <Table.Th scope="col">Raised</Table.Th>
                <Table.Th scope="col">Resolution</Table.Th>
                {resolveAllowed && <Table.Th scope="col">Change</Table.Th>}
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {issues.map((i) => (
                <Table.Tr key={i.number}>
                  <Table.Td>{i.number}</Table.Td>
                  <Table.Td>{nameOf(categories, i.category)}</Table.Td>
                  <Table.Td>
                    <Text fw={500}>{i.title}</Text>
                    {i.description && <Text size="sm">{i.description}</Text>}
                  </Table.Td>
                  <Table.Td>{i.status === 'wont-fix' ? 'won’t fix' : i.status}</Table.Td>
                  <Table.Td>
                    {i.raisedBy}, {when(i.raisedAt)}
                  </Table.Td>
                  <Table.Td>
                    {i.resolvedBy && (
                      <Text size="sm">
                        {i.resolvedBy}, {when(i.resolvedAt)}
                        {i.resolution ? `: ${i.resolution}` : ''}
                      </Text>
                    )}
                  </Table.Td>
                  {resolveAllowed && (
                    <Table.Td>
                      <IssueActions name={name} app={app} issue={i} />
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

function RaiseIssueForm({ name, app, categories }: { name: string; app: string | undefined; categories: Named[] }) {
  const [chosen, setCategory] = useState<string | null>(null);
  const category = chosen ?? categories[0]?.id ?? null;
  const [done, setDone] = useState<string | null>(null);
  const raise = useReleaseWrite<{ category: string; title: string; description?: string }, Issue>(name, {
    mutationFn: async (body) =>
      data(await api.POST('/api/v1/releases/{name}/issues', { params: { path: { name }, query: app ? { app } : {} }, body })),
  });
  const submit = (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const form = e.currentTarget;
    const fd = new FormData(form);
    const description = formText(fd, 'description').trim();
    raise.mutate(
      { category: category ?? '', title: formText(fd, 'title').trim(), ...(description ? { description } : {}) },
      {
        onSuccess: (issue) => {
          setDone(`Issue #${issue.number} raised`);
          form.reset();
        },
      },
    );
  };
  return (
    <form onSubmit={submit} aria-labelledby="raise-issue-title">
      <Stack gap="xs">
        <Title order={3} size="h4" id="raise-issue-title">
          Raise an issue
        </Title>
        <Group align="flex-start">
          <Select
            label="Category"
            required
            data={categories.map((c) => ({ value: c.id, label: c.name }))}
            value={category}
            onChange={setCategory}
            allowDeselect={false}
            miw={320}
            error={fieldProblems(raise.error, 'category')}
          />
          <TextInput name="title" label="Issue title" required miw={300} error={fieldProblems(raise.error, 'title')} />
        </Group>
        <Textarea name="description" label="Description" autosize minRows={1} maxRows={6} />
        <Group>
          <Button type="submit" loading={raise.isPending}>
            Raise issue
          </Button>
        </Group>
        {done && !raise.error && <p role="status">{done}</p>}
        <ProblemAlert error={raise.error} title="The issue was not raised" />
      </Stack>
    </form>
  );
}

function IssueActions({ name, app, issue }: { name: string; app: string | undefined; issue: Issue }) {
  const [to, setTo] = useState<Status | null>(null);
  // What the dialog shows, kept while it fades out after `to` is cleared.
  const [shown, setShown] = useState<Status>('resolved');
  const change = useReleaseWrite<{ status: Status; resolution?: string }, Issue>(name, {
    mutationFn: async (body) =>
      data(
        await api.PATCH('/api/v1/releases/{name}/issues/{number}', {
          params: { path: { name, number: issue.number }, query: app ? { app } : {} },
          body,
        }),
      ),
    onSuccess: () => setTo(null),
  });
  const options: Status[] = issue.status === 'open' ? ['resolved', 'wont-fix'] : ['open'];
  const submit = (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const resolution = formText(new FormData(e.currentTarget), 'resolution').trim();
    if (to) change.mutate({ status: to, ...(resolution ? { resolution } : {}) });
  };
  return (
    <>
      <Group gap={4}>
        {options.map((s) => (
          <Button
            key={s}
            size="compact-sm"
            variant="light"
            aria-label={`${VERB[s]} issue #${issue.number}`}
            onClick={() => {
              setShown(s);
              setTo(s);
            }}
          >
            {VERB[s]}
          </Button>
        ))}
      </Group>
      <Modal
        closeButtonProps={{ 'aria-label': 'Close' }}
        opened={to !== null}
        onClose={() => setTo(null)}
        title={`${VERB[shown]} issue #${issue.number}`}
      >
        <form onSubmit={submit}>
          <Stack>
            <Textarea
              name="resolution"
              label={shown === 'open' ? 'Why it is open again' : 'Resolution'}
              required={shown === 'wont-fix'}
              data-autofocus
              autosize
              minRows={2}
              error={fieldProblems(change.error, 'resolution')}
            />
            <ProblemAlert error={change.error} title={`Issue #${issue.number} was not changed`} />
            <Group justify="flex-end">
              <Button variant="default" onClick={() => setTo(null)}>
                Cancel
              </Button>
              <Button type="submit" loading={change.isPending}>
                {VERB[shown]}
              </Button>
            </Group>
          </Stack>
        </form>
      </Modal>
    </>
  );
}
