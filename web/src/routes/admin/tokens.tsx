import { Text, Title } from '@mantine/core';
import { usePageTitle } from '../../components/page-title';

export default function Page() {
  usePageTitle('API tokens');
  return (
    <>
      <Title order={1}>API tokens</Title>
      <Text>Not in the browser yet: use the CLI or the API.</Text>
    </>
  );
}
