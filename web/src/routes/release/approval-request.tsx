import { Button, Group, Modal, Stack, Textarea } from '@mantine/core';
import { useState } from 'react';
import { api, data } from '../../api/client';
import { ProblemAlert } from '../../components/problem-alert';
import type { ApprovalStep } from './approval-types';
import { useReleaseWrite } from './queries';

/** Ask for an approval: the people who may give it are e-mailed. */
export function ApprovalRequestModal(props: {
  name: string;
  app: string | undefined;
  step: ApprovalStep;
  onClose: () => void;
  onDone: (msg: string) => void;
}) {
  const { name, app, step } = props;
  const [comment, setComment] = useState('');
  const write = useReleaseWrite(name, {
    mutationFn: async () =>
      data(
        await api.POST('/api/v1/releases/{name}/approvals/{step}/requests', {
          params: { path: { name, step: step.step }, query: app ? { app } : {} },
          body: comment.trim() ? { comment } : {},
        }),
      ),
    onSuccess: (res) =>
      props.onDone(
        res.mail.queued
          ? `Asked for ${step.name}; e-mailed ${res.mail.to.join(', ')}.`
          : `Asked for ${step.name}; nobody was e-mailed: ${res.mail.reason}`,
      ),
  });
  return (
    <Modal opened onClose={props.onClose} closeButtonProps={{ 'aria-label': 'Dismiss the dialog' }} title={`Ask for: ${step.name}`}>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          write.mutate(undefined);
        }}
      >
        <Stack>
          <Textarea
            label="Comment"
            description="Optional: what the approver should know."
            autosize
            minRows={2}
            value={comment}
            onChange={(e) => setComment(e.currentTarget.value)}
            data-autofocus
          />
          <ProblemAlert error={write.error} title="The request was refused" />
          <Group justify="flex-end">
            <Button variant="default" onClick={props.onClose}>
              Close
            </Button>
            <Button type="submit" loading={write.isPending}>
              Send the request
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}
