import { Title } from '@mantine/core';
import { usePageTitle } from '../components/page-title';

export default function Page() {
  usePageTitle('items-list');
  return <Title order={1}>items-list</Title>;
}
