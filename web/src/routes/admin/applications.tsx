import { Text, Title } from '@mantine/core';
import { usePageTitle } from '../../components/page-title';

export default function Page() {
  usePageTitle('Applications');
  return (
    <>
      <Title order={1}>Applications</Title>
      <Text>Not in the browser yet: use the CLI or the API.</Text>
    </>
  );
}
