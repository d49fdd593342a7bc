import { Button, Paper, PasswordInput, Stack, Text, Title } from '@mantine/core';
import { useMutation } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { api, data } from '../api/client';
import { fieldProblems } from '../api/problem';
import { formText } from '../components/form-value';
import { ProblemAlert } from '../components/problem-alert';
import { usePageTitle } from '../components/page-title';
import { useMe } from '../session';

export default function AccountPage() {
  usePageTitle('Account');
  const { session } = useMe();
  const [done, setDone] = useState(false);
  const change = useMutation({
    mutationFn: async (body: { currentPassword: string; newPassword: string }) => {
      data(await api.PUT('/api/v1/session/password', { body }));
    },
    onSuccess: () => setDone(true),
  });
  const submit = (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    setDone(false);
    const f = new FormData(e.currentTarget);
    change.mutate({ currentPassword: formText(f, 'currentPassword'), newPassword: formText(f, 'newPassword') });
    e.currentTarget.reset();
  };
  return (
    <Stack maw={480}>
      <Title order={1}>Account</Title>
      <Text>
        Signed in as <strong>{session.user.username}</strong> ({session.user.displayName}); roles: {session.user.roles.join(', ') || 'none'}
        .
      </Text>
      <Paper withBorder p="md">
        <form onSubmit={submit} aria-label="Change password">
          <Stack>
            <Title order={2} size="h4">
              Change your password
            </Title>
            <ProblemAlert error={change.error} title="Password not changed" />
            {done && (
              <Text role="status" c="green.9">
                Password changed. Your other sessions have ended; your API tokens stay valid.
              </Text>
            )}
            <PasswordInput
              name="currentPassword"
              label="Current password"
              autoComplete="current-password"
              required
              error={fieldProblems(change.error, 'currentPassword')}
            />
            <PasswordInput
              name="newPassword"
              label="New password"
              autoComplete="new-password"
              required
              error={fieldProblems(change.error, 'newPassword')}
            />
            <Button type="submit" loading={change.isPending}>
              Change password
            </Button>
          </Stack>
        </form>
      </Paper>
    </Stack>
  );
}
