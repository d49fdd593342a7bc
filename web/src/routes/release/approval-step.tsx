import { Button, Group, Paper, Stack, Table, Text, Title } from '@mantine/core';
import { PassBadge } from './road-gate';
import { rolesText, type TemplateFacts } from './road-template';
import type { ApprovalStep } from './approval-types';
import type { Decision } from './approval-decide';
import { attestedText } from './sign-off-attestations';

type Props = {
  step: ApprovalStep;
  facts: TemplateFacts | undefined;
  username: string;
  myRoles: readonly string[];
  /** May ask for approvals (release.update). */
  mayRequest: boolean;
  onDecide: (step: ApprovalStep, decision: Decision) => void;
  onRequest: (step: ApprovalStep) => void;
};

/** One approval step: whether it is given, who may give it, every decision (voided ones struck through, with why). */
export function ApprovalStepCard({ step, facts, username, myRoles, mayRequest, onDecide, onRequest }: Props) {
  const headingId = `approval-${step.step}`;
  const mayDecide = step.roles.some((r) => myRoles.includes(r));
  const requestedByMe = step.requester === username;
  return (
    <Paper component="section" aria-labelledby={headingId} withBorder p="sm">
      <Stack gap="xs">
        <Group justify="space-between" align="baseline">
          <Title order={3} size="h4" id={headingId}>
            {step.name}
          </Title>
          <PassBadge pass={step.satisfied}>
            {step.satisfied ? 'Given' : 'Not given'} ({step.approvedBy.length} of {step.required})
          </PassBadge>
        </Group>
        <Text size="sm">
          Given by {rolesText(step.roles, facts)}; not by {step.requester}, who asked for it or created the release.
          {step.approvedBy.length > 0 && ` Approved by ${step.approvedBy.join(', ')}.`}
        </Text>
        {step.decisions.length > 0 && (
          <Table aria-label={`Decisions on ${step.name}`} striped={false} withTableBorder>
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Decision</Table.Th>
                <Table.Th>By</Table.Th>
                <Table.Th>When</Table.Th>
                <Table.Th>Comment</Table.Th>
                <Table.Th>Status</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {step.decisions.map((d) => {
                const cls = d.voided ? 'voided' : undefined;
                const confirmed = d.attestations.length > 0 ? ` (confirmed: ${attestedText(step, d.attestations)})` : '';
                return (
                  <Table.Tr key={d.id}>
                    <Table.Td className={cls}>{d.decision}</Table.Td>
                    <Table.Td className={cls}>{d.decidedBy}</Table.Td>
                    <Table.Td className={cls}>{new Date(d.decidedAt).toLocaleString()}</Table.Td>
                    <Table.Td className={cls}>
                      {d.comment}
                      {confirmed}
                    </Table.Td>
                    <Table.Td>
                      {d.voided
                        ? `Voided${d.voidedAt ? ` ${new Date(d.voidedAt).toLocaleString()}` : ''}: ${d.voidReason ?? 'no reason recorded'}`
                        : 'Counts'}
                    </Table.Td>
                  </Table.Tr>
                );
              })}
            </Table.Tbody>
          </Table>
        )}
        <Group gap="xs">
          {mayDecide && !requestedByMe && (
            <>
              <Button size="compact-md" onClick={() => onDecide(step, 'approve')}>
                Approve
              </Button>
              <Button size="compact-md" variant="outline" color="#b02525" onClick={() => onDecide(step, 'reject')}>
                Reject
              </Button>
            </>
          )}
          {mayDecide && requestedByMe && <Text size="sm">You asked for it, so someone else decides it.</Text>}
          {mayRequest && !step.satisfied && (
            <Button size="compact-md" variant="default" onClick={() => onRequest(step)}>
              Ask for approval
            </Button>
          )}
        </Group>
      </Stack>
    </Paper>
  );
}
