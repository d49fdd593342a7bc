import { Text, Title } from '@mantine/core';
import { usePageTitle } from '../components/page-title';

export default function Page() {
  usePageTitle('My tasks');
  return (
    <>
      <Title order={1}>My tasks</Title>
      <Text>Not in the browser yet: use the CLI or the API.</Text>
    </>
  );
}
