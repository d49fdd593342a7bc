import { Button, Checkbox, Group, Modal, Stack, Text, Textarea } from '@mantine/core';
import { useState } from 'react';
import { api, data } from '../../api/client';
import { isStaleVersion, WriteProblem } from './live-conflict';
import type { ApprovalStep } from './approval-types';
import { useReleaseWrite } from './queries';
import { SignOffAttestations } from './sign-off-attestations';

export type Decision = 'approve' | 'reject';

type Props = {
  name: string;
  app: string | undefined;
  step: ApprovalStep;
  decision: Decision;
  version: number | undefined;
  onClose: () => void;
  onDone: (msg: string) => void;
};

/** Approve (with the step's attestations) or reject (with a comment) one approval step. */
export function ApprovalDecideModal({ name, app, step, decision, version, onClose, onDone }: Props) {
  // Based on the release as the user saw it when deciding: a change by someone else meanwhile is refused.
  const [basedOn, setBasedOn] = useState(version);
  const [comment, setComment] = useState('');
  const [attested, setAttested] = useState<string[]>([]);
  const [advance, setAdvance] = useState(false);
  const approving = decision === 'approve';
  const write = useReleaseWrite(name, {
    mutationFn: async () => {
      const v = basedOn ?? version;
      return data(
        await api.POST('/api/v1/releases/{name}/approvals', {
          params: { path: { name }, query: app ? { app } : {} },
          body: {
            step: step.step,
            decision,
            ...(comment.trim() ? { comment } : {}),
            ...(approving && step.attestations.length > 0 ? { attestations: attested } : {}),
            ...(approving && advance ? { advance: true } : {}),
            ...(v !== undefined ? { version: v } : {}),
          },
        }),
      );
    },
    onSuccess: (res) => {
      const adv = res.advance;
      const moved = adv ? (adv.taken ? ` The release moved on (${adv.transition.transition}).` : ` Not advanced: ${adv.reason}`) : '';
      onDone(`${approving ? 'Approved' : 'Rejected'}: ${step.name}.${moved}`);
    },
    onError: (err) => {
      if (isStaleVersion(err)) setBasedOn(undefined);
    },
  });
  const missingComment = !approving && comment.trim() === '';
  return (
    <Modal
      opened
      onClose={onClose}
      closeButtonProps={{ 'aria-label': 'Dismiss the dialog' }}
      title={`${approving ? 'Approve' : 'Reject'}: ${step.name}`}
    >
      <form
        onSubmit={(e) => {
          e.preventDefault();
          if (!missingComment) write.mutate(undefined);
        }}
      >
        <Stack>
          {approving && <SignOffAttestations step={step} value={attested} onChange={setAttested} />}
          <Textarea
            label="Comment"
            description={approving ? 'Optional.' : 'Required: say why it is rejected.'}
            required={!approving}
            autosize
            minRows={3}
            value={comment}
            onChange={(e) => setComment(e.currentTarget.value)}
            data-autofocus
          />
          {approving && (
            <Checkbox
              label="Then take the transition this approval completes, if every gate holds"
              checked={advance}
              onChange={(e) => setAdvance(e.currentTarget.checked)}
            />
          )}
          {!approving && <Text size="sm">A rejection voids the step’s approvals and may send the release back.</Text>}
          <WriteProblem error={write.error} title={`The ${approving ? 'approval' : 'rejection'} was refused`} name={name} app={app} />
          <Group justify="flex-end">
            <Button variant="default" onClick={onClose}>
              Close
            </Button>
            <Button type="submit" color={approving ? undefined : '#b02525'} loading={write.isPending} disabled={missingComment}>
              {approving ? 'Confirm approval' : 'Confirm rejection'}
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}
