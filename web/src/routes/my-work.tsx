import { Title } from '@mantine/core';
import { usePageTitle } from '../components/page-title';

export default function Page() {
  usePageTitle('My work');
  return <Title order={1}>My work</Title>;
}
