import { Button, Container, Paper, PasswordInput, Stack, TextInput, Title } from '@mantine/core';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useEffect, useRef, type FormEvent } from 'react';
import { Navigate, useNavigate, useSearchParams } from 'react-router';
import { api, data, setCsrfToken } from '../api/client';
import { formText } from '../components/form-value';
import { ProblemAlert } from '../components/problem-alert';
import { SESSION_KEY, useSessionQuery } from '../session';

/** Only a path of this site is a place to return to (no `//evil.example` or `https://…`). */
export function safeNext(next: string | null): string {
  return next && next.startsWith('/') && !next.startsWith('//') && !next.startsWith('/\\') ? next : '/';
}

export function SignInPage() {
  const [params] = useSearchParams();
  const next = safeNext(params.get('next'));
  const navigate = useNavigate();
  const qc = useQueryClient();
  const session = useSessionQuery();
  const user = useRef<HTMLInputElement>(null);
  useEffect(() => {
    document.title = 'Sign in · relman';
    user.current?.focus();
  }, []);

  const signIn = useMutation({
    mutationFn: async (body: { username: string; password: string }) => data(await api.POST('/api/v1/session', { body })),
    onSuccess: (s) => {
      setCsrfToken(s.csrfToken);
      qc.clear();
      qc.setQueryData(SESSION_KEY, s);
      goOn();
    },
  });

  // An API address (a package download from a mail) is left to the browser, which sends the new cookie.
  const goOn = () => (next.startsWith('/api/') ? window.location.assign(next) : void navigate(next, { replace: true }));

  if (session.data && !signIn.isPending && !next.startsWith('/api/')) return <Navigate to={next} replace />;

  const submit = (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const f = new FormData(e.currentTarget);
    signIn.mutate({ username: formText(f, 'username'), password: formText(f, 'password') });
  };

  return (
    <Container size={420} py={80} component="main">
      <Title order={1} ta="center" mb="lg">
        Sign in to relman
      </Title>
      <Paper withBorder p="lg" radius="md">
        <form onSubmit={submit} aria-label="Sign in">
          <Stack>
            <ProblemAlert error={signIn.error} title="Not signed in" />
            <TextInput ref={user} name="username" label="Username" autoComplete="username" required />
            <PasswordInput name="password" label="Password" autoComplete="current-password" required />
            <Button type="submit" loading={signIn.isPending}>
              Sign in
            </Button>
          </Stack>
        </form>
      </Paper>
    </Container>
  );
}
