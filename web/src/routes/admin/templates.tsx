import { Text, Title } from '@mantine/core';
import { usePageTitle } from '../../components/page-title';

export default function Page() {
  usePageTitle('Process templates');
  return (
    <>
      <Title order={1}>Process templates</Title>
      <Text>Not in the browser yet: use the CLI or the API.</Text>
    </>
  );
}
