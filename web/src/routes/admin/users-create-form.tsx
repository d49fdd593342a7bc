import { Button, MultiSelect, Paper, PasswordInput, SimpleGrid, Stack, Text, TextInput, Title } from '@mantine/core';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { api, data } from '../../api/client';
import { fieldProblems, ProblemError } from '../../api/problem';
import { formText } from '../../components/form-value';
import { ProblemAlert } from '../../components/problem-alert';
import { roleOptions, useTemplateRoles } from './users-roles';

type NewUser = { username: string; displayName?: string; email?: string | null; password?: string; roles: string[] };

/** A taken username is a conflict, not a field problem, but the person fixes it in the username field. */
function usernameProblem(err: unknown): string | undefined {
  if (err instanceof ProblemError && err.status === 409) return err.problem.detail ?? err.problem.title;
  return fieldProblems(err, 'username');
}

export function CreateUserForm() {
  const qc = useQueryClient();
  const template = useTemplateRoles();
  const [roles, setRoles] = useState<string[]>([]);
  const [created, setCreated] = useState<string | null>(null);
  const create = useMutation({
    mutationFn: async (body: NewUser) => data(await api.POST('/api/v1/users', { body })),
    onSuccess: async (u) => {
      setCreated(u.username);
      setRoles([]);
      await qc.invalidateQueries({ queryKey: ['users'] });
    },
  });
  const submit = (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    setCreated(null);
    const form = e.currentTarget;
    const f = new FormData(form);
    const body: NewUser = { username: formText(f, 'username').trim(), roles };
    const displayName = formText(f, 'displayName').trim();
    const email = formText(f, 'email').trim();
    const password = formText(f, 'password');
    if (displayName) body.displayName = displayName;
    if (email) body.email = email;
    if (password) body.password = password;
    create.mutate(body, { onSuccess: () => form.reset() });
  };
  return (
    <Paper withBorder p="md">
      <form onSubmit={submit} aria-label="Create a user">
        <Stack>
          <Title order={2} size="h4">
            Create a user
          </Title>
          <ProblemAlert error={create.error} title="User not created" />
          {created && (
            <Text role="status" fw={500}>
              User {created} created.
            </Text>
          )}
          <SimpleGrid cols={{ base: 1, sm: 2 }}>
            <TextInput name="username" label="Username" required autoComplete="off" error={usernameProblem(create.error)} />
            <TextInput name="displayName" label="Display name" error={fieldProblems(create.error, 'displayName')} />
            <TextInput name="email" type="email" label="E-mail" error={fieldProblems(create.error, 'email')} />
            <PasswordInput
              name="password"
              label="Initial password"
              autoComplete="new-password"
              description="Leave empty for a user who signs in another way"
              error={fieldProblems(create.error, 'password')}
            />
          </SimpleGrid>
          <MultiSelect
            label="Roles"
            required
            data={roleOptions(template.data?.roles)}
            value={roles}
            onChange={setRoles}
            searchable
            error={fieldProblems(create.error, 'roles')}
          />
          <Button type="submit" loading={create.isPending} style={{ alignSelf: 'flex-start' }}>
            Create user
          </Button>
        </Stack>
      </form>
    </Paper>
  );
}
