import { Button, Group, Modal, Stack, Textarea } from '@mantine/core';
import { useState, type FormEvent } from 'react';
import { api, data } from '../../api/client';
import { fieldProblems } from '../../api/problem';
import { formText } from '../../components/form-value';
import { ProblemAlert } from '../../components/problem-alert';
import type { Run, RunStep } from './deployments-data';
import { useReleaseWrite } from './queries';

type Action = RunStep['actions'][number];

const LABEL: Record<Action, string> = { done: 'Mark done', failed: 'Mark failed', retry: 'Retry', skip: 'Skip' };

/** What the dialog asks for each action: the field, its label, and whether it must be given. */
const FIELD: Record<Action, { name: 'note' | 'comment' | 'reason'; label: string; description: string; required: boolean }> = {
  done: { name: 'note', label: 'Note', description: 'What was done, optional', required: false },
  failed: { name: 'note', label: 'What went wrong', description: 'Required', required: true },
  retry: { name: 'comment', label: 'Comment', description: 'What was changed before trying again, optional', required: false },
  skip: { name: 'reason', label: 'Reason', description: 'Why the run does without this step', required: true },
};

/**
 * The buttons for what the signed-in person may do with one step now (as the
 * server lists them), each opening a dialog for the note, comment or reason.
 */
export function StepActions({ name, app, run, step }: { name: string; app: string | undefined; run: Run; step: RunStep }) {
  const [action, setAction] = useState<Action | null>(null);
  // What the dialog shows, kept while it fades out after `action` is cleared.
  const [shown, setShown] = useState<Action>('done');
  const path = { name, run: run.number, step: step.step };
  const query = app ? { app } : {};
  const write = useReleaseWrite<{ action: Action; text: string }, Run>(name, {
    mutationFn: async ({ action: a, text }) => {
      switch (a) {
        case 'done':
        case 'failed':
          return data(
            await api.POST('/api/v1/releases/{name}/deployments/{run}/steps/{step}/ack', {
              params: { path, query },
              body: { outcome: a, ...(text ? { note: text } : {}) },
            }),
          );
        case 'retry':
          return data(
            await api.POST('/api/v1/releases/{name}/deployments/{run}/steps/{step}/retry', {
              params: { path, query },
              body: text ? { comment: text } : {},
            }),
          );
        case 'skip':
          return data(
            await api.POST('/api/v1/releases/{name}/deployments/{run}/steps/{step}/skip', {
              params: { path, query },
              body: { reason: text },
            }),
          );
      }
    },
    onSuccess: () => close(),
  });
  const close = () => {
    setAction(null);
    write.reset();
  };
  const submit = (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    if (!action) return;
    const text = formText(new FormData(e.currentTarget), FIELD[action].name).trim();
    write.mutate({ action, text });
  };
  if (step.actions.length === 0) return null;
  const field = FIELD[shown];
  return (
    <>
      <Group gap={4}>
        {step.actions.map((a) => (
          <Button
            key={a}
            size="compact-sm"
            variant={a === 'done' ? 'filled' : a === 'failed' ? 'outline' : 'light'}
            color={a === 'failed' ? 'red.9' : undefined}
            aria-label={`${LABEL[a]}: ${step.name}`}
            onClick={() => {
              setShown(a);
              setAction(a);
            }}
          >
            {LABEL[a]}
          </Button>
        ))}
      </Group>
      <Modal
        closeButtonProps={{ 'aria-label': 'Close' }}
        opened={action !== null}
        onClose={close}
        title={`${LABEL[shown]}: ${step.name}`}
        size="lg"
      >
        <form onSubmit={submit}>
          <Stack>
            <Textarea
              key={shown}
              name={field.name}
              label={field.label}
              description={field.description}
              required={field.required}
              data-autofocus
              autosize
              minRows={2}
              maxLength={4000}
              error={fieldProblems(write.error, field.name)}
            />
            <ProblemAlert error={write.error} title={`Step “${step.name}” was not changed`} />
            <Group justify="flex-end">
              <Button variant="default" onClick={close}>
                Cancel
              </Button>
              <Button type="submit" loading={write.isPending} color={shown === 'failed' ? 'red.9' : undefined}>
                {LABEL[shown]}
              </Button>
            </Group>
          </Stack>
        </form>
      </Modal>
    </>
  );
}
