import { Text } from '@mantine/core';
import { useReleaseRef } from './queries';

export default function Tab() {
  const { name } = useReleaseRef();
  return <Text>audit-tab of {name}</Text>;
}
