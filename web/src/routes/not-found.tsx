import { Stack, Text, Title } from '@mantine/core';
import { Link } from 'react-router';
import { usePageTitle } from '../components/page-title';

export default function NotFoundPage() {
  usePageTitle('Not found');
  return (
    <Stack>
      <Title order={1}>No such page</Title>
      <Text>
        Nothing lives at this address. Go to <Link to="/">your work</Link> or the <Link to="/releases">releases</Link>.
      </Text>
    </Stack>
  );
}
