import { Select, Stack, Title } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { api, data } from '../../api/client';
import { usePageTitle } from '../../components/page-title';
import { useMe } from '../../session';
import { CreateTokenForm } from './tokens-create-form';
import { TokensTable } from './tokens-table';

/** An administrator sees everyone's tokens in one list, optionally only one user's, and revokes them. */
function EveryonesTokens() {
  const [user, setUser] = useState<string | null>(null);
  const users = useQuery({ queryKey: ['users'], queryFn: async () => data(await api.GET('/api/v1/users')).items });
  return (
    <Stack>
      <Title order={2}>Everyone’s tokens</Title>
      <Select
        label="User"
        placeholder="Every user"
        description="Show only this user’s tokens"
        searchable
        clearable
        maw={360}
        data={(users.data ?? []).map((u) => ({ value: u.username, label: `${u.displayName} (${u.username})` }))}
        value={user}
        onChange={setUser}
      />
      <TokensTable everyone owner={user} label={user ? `API tokens of ${user}` : 'Everyone’s API tokens'} />
    </Stack>
  );
}

export default function Page() {
  usePageTitle('API tokens');
  const { permissions } = useMe();
  return (
    <Stack>
      <Title order={1}>API tokens</Title>
      <Title order={2}>Your tokens</Title>
      <TokensTable label="Your API tokens" />
      <CreateTokenForm />
      {permissions?.admin && <EveryonesTokens />}
    </Stack>
  );
}
