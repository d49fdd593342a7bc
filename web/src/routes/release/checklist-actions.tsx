import { Button, FileInput, Group, Modal, Select, Stack, Textarea, TextInput } from '@mantine/core';
import { useState, type FormEvent } from 'react';
import { api, data } from '../../api/client';
import { fieldProblems } from '../../api/problem';
import { formText } from '../../components/form-value';
import { ProblemAlert } from '../../components/problem-alert';
import { useReleaseMails, useReleaseWrite } from './queries';
import type { Task } from './checklist-data';

type Move = 'complete' | 'skip' | 'reopen' | 'waive';
const TITLE: Record<Move, string> = { complete: 'Complete', skip: 'Skip', reopen: 'Reopen', waive: 'Waive' };
type Input = { note: string; link?: string; mailId?: string; file?: File | null; reason: string; transition?: string };

/**
 * The changes a person may make to one task: complete (note, link, file), skip
 * or reopen with a reason (checklist.complete or the task's roles), and waive
 * one transition it is required before (checklist.waive).
 */
export function TaskActions({
  name,
  app,
  task,
  mayChange,
  mayWaive,
}: {
  name: string;
  app: string | undefined;
  task: Task;
  mayChange: boolean;
  mayWaive: boolean;
}) {
  const [move, setMove] = useState<Move | null>(null);
  // What the dialog shows, kept while it fades out after `move` is cleared.
  const [shown, setShown] = useState<Move>('complete');
  const [transition, setTransition] = useState<string | null>(null);
  const [file, setFile] = useState<File | null>(null);
  const [mailId, setMailId] = useState<string | null>(null);
  const mails = useReleaseMails(name, app, move === 'complete');
  // A mail given up on is no evidence of anything.
  const evidenceMails = mails.data?.items.filter((m) => m.status !== 'failed');
  const path = { name, task: task.task };
  const query = app ? { app } : {};
  const write = useReleaseWrite<{ move: Move; input: Input }, unknown>(name, {
    mutationFn: async ({ move: m, input }) => {
      switch (m) {
        case 'complete': {
          let version = task.version;
          if (input.file) {
            const f = input.file;
            const uploaded = data(
              await api.PUT('/api/v1/releases/{name}/checklist/{task}/evidence/{fileName}', {
                params: { path: { ...path, fileName: f.name }, query },
                body: f as unknown as string,
                bodySerializer: (b: unknown) => b as Blob,
                headers: { 'content-type': 'application/octet-stream' },
              }),
            );
            version = uploaded.version;
          }
          const body = {
            note: input.note,
            version,
            ...(input.link ? { link: input.link } : {}),
            ...(input.mailId ? { mailId: input.mailId } : {}),
          };
          return data(await api.POST('/api/v1/releases/{name}/checklist/{task}/complete', { params: { path, query }, body }));
        }
        case 'skip':
          return data(
            await api.POST('/api/v1/releases/{name}/checklist/{task}/skip', {
              params: { path, query },
              body: { reason: input.reason, version: task.version },
            }),
          );
        case 'reopen':
          return data(
            await api.POST('/api/v1/releases/{name}/checklist/{task}/reopen', {
              params: { path, query },
              body: { reason: input.reason, version: task.version },
            }),
          );
        case 'waive':
          return data(
            await api.POST('/api/v1/releases/{name}/checklist/{task}/waive', {
              params: { path, query },
              body: { reason: input.reason, transition: input.transition ?? '' },
            }),
          );
      }
    },
    onSuccess: () => close(),
  });
  const close = () => {
    setMove(null);
    setFile(null);
    setMailId(null);
    setTransition(null);
    write.reset();
  };
  const submit = (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    if (!move) return;
    const fd = new FormData(e.currentTarget);
    const link = formText(fd, 'link').trim();
    write.mutate({
      move,
      input: {
        note: formText(fd, 'note').trim(),
        reason: formText(fd, 'reason').trim(),
        file,
        ...(link ? { link } : {}),
        ...(mailId ? { mailId } : {}),
        ...(transition ? { transition } : {}),
      },
    });
  };
  const open = task.status === 'open';
  const waivable = task.requiredBefore.filter((b) => !b.performedAt && !task.waivers.some((w) => w.transition === b.transition));
  const moves: Move[] = [
    ...(mayChange && open ? (['complete', 'skip'] as const) : []),
    ...(mayChange && (task.status === 'done' || task.status === 'skipped') ? (['reopen'] as const) : []),
    ...(mayWaive && open && waivable.length > 0 ? (['waive'] as const) : []),
  ];
  if (moves.length === 0) return null;
  return (
    <>
      <Group gap={4}>
        {moves.map((m) => (
          <Button
            key={m}
            size="compact-sm"
            variant="light"
            aria-label={`${TITLE[m]} “${task.title}”`}
            onClick={() => {
              setShown(m);
              setMove(m);
            }}
          >
            {TITLE[m]}
          </Button>
        ))}
      </Group>
      <Modal
        closeButtonProps={{ 'aria-label': 'Close' }}
        opened={move !== null}
        onClose={close}
        title={`${TITLE[shown]}: ${task.title}`}
        size="lg"
      >
        <form onSubmit={submit}>
          <Stack>
            {shown === 'complete' && (
              <>
                <Textarea
                  name="note"
                  label="What was done"
                  required
                  data-autofocus
                  autosize
                  minRows={2}
                  error={fieldProblems(write.error, 'note')}
                />
                <TextInput
                  name="link"
                  label="Evidence link"
                  description="An http(s) address, optional"
                  type="url"
                  error={fieldProblems(write.error, 'link')}
                />
                <Select
                  label="Evidence mail"
                  description={
                    mails.isPending ? 'Loading the release’s mails…' : 'Optional: a mail of this release, e.g. the sign-off sent by e-mail'
                  }
                  placeholder={evidenceMails?.length === 0 ? 'This release has no mail' : 'No mail'}
                  data={(evidenceMails ?? []).map((m) => ({
                    value: m.id,
                    label: `${m.subject} (${m.status === 'sent' ? `sent ${m.sentAt?.slice(0, 16).replace('T', ' ') ?? ''}` : 'not sent yet'})`,
                  }))}
                  value={mailId}
                  onChange={setMailId}
                  clearable
                  searchable
                  error={fieldProblems(write.error, 'mailId')}
                />
                <FileInput
                  label="Evidence file"
                  description="Optional: a screenshot, a signed form, a log"
                  value={file}
                  onChange={setFile}
                  clearable
                  error={fieldProblems(write.error, 'fileName') ?? fieldProblems(write.error, 'file')}
                />
              </>
            )}
            {shown === 'waive' && (
              <Select
                label="Transition to let go ahead"
                required
                data={waivable.map((b) => ({ value: b.transition, label: b.name }))}
                value={transition}
                onChange={setTransition}
                error={fieldProblems(write.error, 'transition')}
              />
            )}
            {(shown === 'skip' || shown === 'reopen' || shown === 'waive') && (
              <Textarea
                name="reason"
                label="Reason"
                required
                data-autofocus={shown !== 'waive'}
                autosize
                minRows={2}
                error={fieldProblems(write.error, 'reason')}
              />
            )}
            <ProblemAlert error={write.error} title={`“${task.title}” was not changed`} />
            <Group justify="flex-end">
              <Button variant="default" onClick={close}>
                Cancel
              </Button>
              <Button type="submit" loading={write.isPending}>
                {TITLE[shown]}
              </Button>
            </Group>
          </Stack>
        </form>
      </Modal>
    </>
  );
}
