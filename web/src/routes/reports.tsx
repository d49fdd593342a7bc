import { Button, Group, Stack, Text, TextInput, Title } from '@mantine/core';
import { ProblemAlert } from '../components/problem-alert';
import { usePageTitle } from '../components/page-title';
import { formText } from '../components/form-value';
import { DeliverySection } from './reports-delivery';
import { useDelivery, usePeriod, useTriage } from './reports-queries';
import { TriageSection } from './reports-triage';

export default function Page() {
  usePageTitle('Reports');
  const period = usePeriod();
  const triage = useTriage(period.from, period.to);
  const delivery = useDelivery(period.from, period.to);
  const shown = triage.data?.period ?? delivery.data?.period;
  return (
    <Stack>
      <Title order={1}>Reports</Title>
      <form
        aria-label="Period"
        onSubmit={(e) => {
          e.preventDefault();
          const form = new FormData(e.currentTarget);
          period.set({ from: formText(form, 'from'), to: formText(form, 'to') });
        }}
      >
        <Group align="flex-end">
          <TextInput type="date" name="from" label="From" defaultValue={period.from ?? shown?.from ?? ''} key={`from-${shown?.from}`} />
          <TextInput type="date" name="to" label="To" defaultValue={period.to ?? shown?.to ?? ''} key={`to-${shown?.to}`} />
          <Button type="submit">Show</Button>
        </Group>
      </form>
      {shown && (
        <Text role="status">
          From {shown.from} to {shown.to}, dates as in {shown.timeZone}
        </Text>
      )}
      <ProblemAlert error={triage.error ?? delivery.error} title="The reports could not be shown" />
      {(triage.isPending || delivery.isPending) && <p role="status">Loading the reports…</p>}
      {delivery.data && <DeliverySection delivery={delivery.data} />}
      {triage.data && <TriageSection triage={triage.data} />}
    </Stack>
  );
}
