import { Stack, Text, Title } from '@mantine/core';
import { usePageTitle } from '../../components/page-title';
import { useMe } from '../../session';
import { DistributionGroups } from './contacts-groups';
import { ContactList } from './contacts-list';

export default function Page() {
  usePageTitle('Contacts');
  const { can } = useMe();
  const canManage = can('contacts.manage');
  return (
    <Stack gap="xl">
      <Stack gap="xs">
        <Title order={1}>Contacts</Title>
        {!canManage && <Text>You can read these lists; people holding the contacts.manage permission change them.</Text>}
      </Stack>
      <ContactList kind="escalation" canManage={canManage} />
      <ContactList kind="resource" canManage={canManage} />
      <ContactList kind="external" canManage={canManage} />
      <DistributionGroups canManage={canManage} />
    </Stack>
  );
}
