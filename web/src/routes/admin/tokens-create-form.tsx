import { Alert, Button, Code, CopyButton, Group, NumberInput, Paper, Stack, TextInput, Title } from '@mantine/core';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { api, data } from '../../api/client';
import { fieldProblems } from '../../api/problem';
import { formText } from '../../components/form-value';
import { ProblemAlert } from '../../components/problem-alert';

/** Creates one of the caller's tokens and shows its secret this once. */
export function CreateTokenForm() {
  const qc = useQueryClient();
  const [days, setDays] = useState<string | number>('');
  const create = useMutation({
    mutationFn: async (body: { name?: string; expiresInDays?: number }) => data(await api.POST('/api/v1/tokens', { body })),
    onSuccess: () => qc.invalidateQueries({ queryKey: ['tokens'] }),
  });
  const submit = (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const form = e.currentTarget;
    const name = formText(new FormData(form), 'name').trim();
    const body: { name?: string; expiresInDays?: number } = {};
    if (name) body.name = name;
    if (typeof days === 'number') body.expiresInDays = days;
    create.mutate(body, {
      onSuccess: () => {
        form.reset();
        setDays('');
      },
    });
  };
  const secret = create.data?.token;
  return (
    <Paper withBorder p="md">
      <form onSubmit={submit} aria-label="Create an API token">
        <Stack>
          <Title order={2} size="h4">
            Create a token
          </Title>
          <ProblemAlert error={create.error} title="Token not created" />
          {secret && (
            <Alert color="red" title="Copy your new token now" role="status">
              <Stack gap="xs">
                It is shown this once: relman keeps only a hash of it. Anyone holding it acts as you.
                <Code block aria-label="New API token">
                  {secret}
                </Code>
                <Group>
                  <CopyButton value={secret}>
                    {({ copied, copy }) => (
                      <Button size="compact-sm" variant="default" onClick={copy}>
                        {copied ? 'Copied' : 'Copy token'}
                      </Button>
                    )}
                  </CopyButton>
                  <Button size="compact-sm" variant="subtle" onClick={() => create.reset()}>
                    Done, hide it
                  </Button>
                </Group>
              </Stack>
            </Alert>
          )}
          <Group align="flex-end">
            <TextInput
              name="name"
              label="Token name"
              description="What uses it, e.g. ci-pipeline"
              error={fieldProblems(create.error, 'name')}
            />
            <NumberInput
              label="Expires in days"
              description="Empty: never"
              min={1}
              max={3650}
              value={days}
              onChange={setDays}
              error={fieldProblems(create.error, 'expiresInDays')}
            />
            <Button type="submit" loading={create.isPending}>
              Create token
            </Button>
          </Group>
        </Stack>
      </form>
    </Paper>
  );
}
