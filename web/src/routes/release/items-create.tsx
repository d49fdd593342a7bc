import { Button, Group, Select, Stack, TextInput, Title } from '@mantine/core';
import { useState, type FormEvent } from 'react';
import { api, data } from '../../api/client';
import { fieldProblems } from '../../api/problem';
import { formText } from '../../components/form-value';
import { ProblemAlert } from '../../components/problem-alert';
import { useReleaseWrite } from './queries';
import type { Named } from './tests-template';

type NewItem = { kind: string; helpdeskRef: string; title: string };

/** Create a work item and attach it to this release in one go (two calls: create, then attach). */
export function CreateItemForm({ name, app, kinds }: { name: string; app: string | undefined; kinds: Named[] }) {
  const [chosen, setKind] = useState<string | null>(null);
  const kind = chosen ?? kinds[0]?.id ?? null;
  const [done, setDone] = useState<string | null>(null);
  const create = useReleaseWrite<NewItem, string>(name, {
    mutationFn: async (body) => {
      const item = data(await api.POST('/api/v1/items', { body: { ...body, ...(app ? { app } : {}) } }));
      const query = app ? { app } : {};
      data(await api.PUT('/api/v1/items/{key}/release', { params: { path: { key: item.key }, query }, body: { release: name } }));
      return item.key;
    },
  });
  const submit = (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const form = e.currentTarget;
    const fd = new FormData(form);
    create.mutate(
      { kind: kind ?? '', helpdeskRef: formText(fd, 'helpdeskRef').trim(), title: formText(fd, 'title').trim() },
      {
        onSuccess: (key) => {
          setDone(`${key} created and attached to ${name}`);
          form.reset();
        },
      },
    );
  };
  return (
    <form onSubmit={submit} aria-labelledby="create-item-title">
      <Stack gap="xs">
        <Title order={3} size="h4" id="create-item-title">
          Create a work item in this release
        </Title>
        <Group align="flex-start">
          <Select
            label="Kind"
            data={kinds.map((k) => ({ value: k.id, label: `${k.id} — ${k.name}` }))}
            value={kind}
            onChange={setKind}
            allowDeselect={false}
            error={fieldProblems(create.error, 'kind')}
          />
          <TextInput name="helpdeskRef" label="Help-desk reference" required error={fieldProblems(create.error, 'helpdeskRef')} />
          <TextInput name="title" label="Title" required miw={280} error={fieldProblems(create.error, 'title')} />
        </Group>
        <Group>
          <Button type="submit" loading={create.isPending}>
            Create and attach
          </Button>
        </Group>
        {done && !create.error && <p role="status">{done}</p>}
        <ProblemAlert error={create.error} title="The item was not created and attached" />
      </Stack>
    </form>
  );
}
