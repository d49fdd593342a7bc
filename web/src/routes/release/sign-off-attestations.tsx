import { Checkbox, Stack } from '@mantine/core';
import type { ApprovalStep } from './approval-types';

/** The statements a sign-off confirms (P15): the approver ticks each one. */
export function SignOffAttestations({ step, value, onChange }: { step: ApprovalStep; value: string[]; onChange: (v: string[]) => void }) {
  if (step.attestations.length === 0) return null;
  return (
    <Checkbox.Group label="I confirm that" description="Every statement must be confirmed." value={value} onChange={onChange}>
      <Stack gap="xs" mt="xs">
        {step.attestations.map((a) => (
          <Checkbox key={a.id} value={a.id} label={a.text} />
        ))}
      </Stack>
    </Checkbox.Group>
  );
}

/** The statements a decision confirmed, in words. */
export function attestedText(step: ApprovalStep, ids: readonly string[]): string {
  return ids.map((id) => step.attestations.find((a) => a.id === id)?.text ?? id).join('; ');
}
