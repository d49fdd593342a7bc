import { Title } from '@mantine/core';
import { usePageTitle } from '../components/page-title';

export default function Page() {
  usePageTitle('item-page');
  return <Title order={1}>item-page</Title>;
}
