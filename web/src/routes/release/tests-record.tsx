import { Button, Group, Radio, Select, Stack, Textarea, Title } from '@mantine/core';
import { useState, type FormEvent } from 'react';
import { api, data } from '../../api/client';
import { fieldProblems } from '../../api/problem';
import { formText } from '../../components/form-value';
import { ProblemAlert } from '../../components/problem-alert';
import { useReleaseWrite, type ReleaseDetail } from './queries';
import type { TemplateLists } from './tests-template';

type Attempt = { item: string; environment: string; result: 'passed' | 'failed'; cause?: string; notes?: string };

/** Record one test attempt of an item in an environment; a failure says why (the template's causes). */
export function RecordTestForm({
  name,
  app,
  items,
  lists,
}: {
  name: string;
  app: string | undefined;
  items: ReleaseDetail['items'];
  lists: TemplateLists;
}) {
  const [item, setItem] = useState<string | null>(null);
  const [environment, setEnvironment] = useState<string | null>(null);
  const [result, setResult] = useState<'passed' | 'failed'>('passed');
  const [cause, setCause] = useState<string | null>(null);
  const [done, setDone] = useState<string | null>(null);
  const record = useReleaseWrite<Attempt, unknown>(name, {
    mutationFn: async (body) =>
      data(await api.POST('/api/v1/releases/{name}/tests', { params: { path: { name }, query: app ? { app } : {} }, body })),
  });
  const submit = (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const form = e.currentTarget;
    const notes = formText(new FormData(form), 'notes').trim();
    const body: Attempt = { item: item ?? '', environment: environment ?? '', result };
    if (result === 'failed' && cause) body.cause = cause;
    if (notes) body.notes = notes;
    record.mutate(body, {
      onSuccess: () => {
        setDone(`${body.item}: ${result} recorded`);
        form.reset();
        setCause(null);
      },
    });
  };
  return (
    <form onSubmit={submit} aria-labelledby="record-test-title">
      <Stack gap="xs">
        <Title order={3} size="h4" id="record-test-title">
          Record a test attempt
        </Title>
        <Group align="flex-start">
          <Select
            label="Work item"
            required
            searchable
            data={items.map((i) => ({ value: i.key, label: `${i.key} — ${i.title}` }))}
            value={item}
            onChange={setItem}
            error={fieldProblems(record.error, 'item')}
            miw={260}
          />
          <Select
            label="Environment"
            required
            data={lists.environments.map((e) => ({ value: e.id, label: e.name }))}
            value={environment}
            onChange={setEnvironment}
            error={fieldProblems(record.error, 'environment')}
          />
          <Radio.Group label="Result" value={result} onChange={(v) => setResult(v === 'failed' ? 'failed' : 'passed')} required>
            <Group mt={8}>
              <Radio value="passed" label="Passed" />
              <Radio value="failed" label="Failed" />
            </Group>
          </Radio.Group>
          {result === 'failed' && (
            <Select
              label="Cause of the failure"
              required
              data={lists.failureCauses.map((c) => ({
                value: c.id,
                label: c.needsNewPackage ? `${c.name} (needs a new package)` : c.name,
              }))}
              value={cause}
              onChange={setCause}
              error={fieldProblems(record.error, 'cause')}
            />
          )}
        </Group>
        <Textarea name="notes" label="Notes" autosize minRows={1} maxRows={4} />
        <Group>
          <Button type="submit" loading={record.isPending}>
            Record test
          </Button>
        </Group>
        {done && !record.error && <p role="status">{done}</p>}
        <ProblemAlert error={record.error} title="The test attempt was not recorded" />
      </Stack>
    </form>
  );
}
