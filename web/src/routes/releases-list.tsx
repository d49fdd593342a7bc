import { Title } from '@mantine/core';
import { usePageTitle } from '../components/page-title';

export default function Page() {
  usePageTitle('releases-list');
  return <Title order={1}>releases-list</Title>;
}
