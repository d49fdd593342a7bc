import { Text } from '@mantine/core';
import { useReleaseRef } from './queries';

export default function Tab() {
  const { name } = useReleaseRef();
  return <Text>tests-tab of {name}</Text>;
}
