import { Button, Checkbox, Paper, Select, SimpleGrid, Stack, Text, Textarea, TextInput, Title } from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { api, data } from '../../api/client';
import { fieldProblems, ProblemError } from '../../api/problem';
import { formText } from '../../components/form-value';
import { ProblemAlert } from '../../components/problem-alert';

type NewApplication = { key: string; name: string; templateKey: string; namingParameters?: Record<string, string>; isDefault?: boolean };

/** "name=value" per line → naming parameters; a line without "=" is reported rather than dropped. */
function parseParameters(text: string): { params: Record<string, string>; bad: string[] } {
  const params: Record<string, string> = {};
  const bad: string[] = [];
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (!line) continue;
    const at = line.indexOf('=');
    if (at <= 0) bad.push(line);
    else params[line.slice(0, at).trim()] = line.slice(at + 1).trim();
  }
  return { params, bad };
}

export function CreateApplicationForm() {
  const qc = useQueryClient();
  const templates = useQuery({ queryKey: ['templates'], queryFn: async () => data(await api.GET('/api/v1/templates')).items });
  const [templateKey, setTemplateKey] = useState<string | null>(null);
  const [badLines, setBadLines] = useState<string[]>([]);
  const create = useMutation({
    mutationFn: async (body: NewApplication) => data(await api.POST('/api/v1/applications', { body })),
    onSuccess: () => qc.invalidateQueries({ queryKey: ['applications'] }),
  });
  const submit = (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const form = e.currentTarget;
    const f = new FormData(form);
    const { params, bad } = parseParameters(formText(f, 'namingParameters'));
    setBadLines(bad);
    if (bad.length > 0 || !templateKey) return;
    const body: NewApplication = { key: formText(f, 'key').trim(), name: formText(f, 'name').trim(), templateKey };
    if (Object.keys(params).length > 0) body.namingParameters = params;
    if (f.get('isDefault') === 'on') body.isDefault = true;
    create.mutate(body, { onSuccess: () => form.reset() });
  };
  const conflict =
    create.error instanceof ProblemError && create.error.status === 409
      ? (create.error.problem.detail ?? create.error.problem.title)
      : undefined;
  return (
    <Paper withBorder p="md">
      <form onSubmit={submit} aria-label="Create an application">
        <Stack>
          <Title order={2} size="h4">
            Create an application
          </Title>
          <ProblemAlert error={create.error} title="Application not created" />
          {create.data && (
            <Text role="status" fw={500}>
              Application {create.data.key} created; its next release would be named {create.data.nextReleaseNameExample}.
            </Text>
          )}
          <SimpleGrid cols={{ base: 1, sm: 2 }}>
            <TextInput name="key" label="Key" required error={conflict ?? fieldProblems(create.error, 'key')} />
            <TextInput name="name" label="Application name" required error={fieldProblems(create.error, 'name')} />
            <Select
              label="Process template"
              required
              data={(templates.data ?? []).map((t) => ({ value: t.key, label: `${t.name} (${t.key} v${t.version})` }))}
              value={templateKey}
              onChange={setTemplateKey}
              error={fieldProblems(create.error, 'templateKey')}
            />
            <Textarea
              name="namingParameters"
              label="Naming parameters"
              description="One name=value a line, e.g. prefix=PAY; the template's defaults fill the rest"
              autosize
              minRows={2}
              error={badLines.length > 0 ? `not name=value: ${badLines.join(', ')}` : fieldProblems(create.error, 'namingParameters')}
            />
          </SimpleGrid>
          <Checkbox name="isDefault" label="The default application (used when a request names none)" />
          <Button type="submit" loading={create.isPending} style={{ alignSelf: 'flex-start' }}>
            Create application
          </Button>
        </Stack>
      </form>
    </Paper>
  );
}
