import { Button, Group, Modal, Paper, Stack, Text, Textarea, Title } from '@mantine/core';
import { useState } from 'react';
import { api, data } from '../../api/client';
import { isStaleVersion, WriteProblem } from './live-conflict';
import { useReleaseWrite } from './queries';
import { FoldedList } from './road-gate';
import { rolesText, type TemplateFacts } from './road-template';
import type { GatesView, TransitionOption } from './road-types';

type Props = {
  name: string;
  app: string | undefined;
  gates: GatesView;
  /** The release's version as shown: what a write is based on. */
  version: number | undefined;
  stateNames: Record<string, string>;
  /** The transition that leads on towards production, if one leaves the current state. */
  forward: string | undefined;
  facts: TemplateFacts | undefined;
};

/** The transitions out of the current state: those this user may take as buttons, the others with why not. */
export function TransitionActions({ name, app, gates, version, stateNames, forward, facts }: Props) {
  const [open, setOpen] = useState<TransitionOption | null>(null);
  const [done, setDone] = useState<string | null>(null);
  const mine = gates.transitions.filter((t) => t.allowedForYou);
  const others = gates.transitions.filter((t) => !t.allowedForYou);
  const toName = (t: TransitionOption) => stateNames[t.to] ?? facts?.stateName(t.to) ?? t.to;
  return (
    <section aria-labelledby="transitions-heading">
      <Stack gap="sm">
        <Title order={2} id="transitions-heading">
          What can happen now
        </Title>
        <div role="status">{done && <Text>{done}</Text>}</div>
        <Text size="sm">The transitions out of {gates.stateName}.</Text>
        {gates.transitions.length === 0 && <Text>No transition leads out of this state.</Text>}
        {mine.map((t) => (
          <Paper key={t.id} withBorder p="sm">
            <Stack gap={4}>
              <Group>
                <Button
                  onClick={() => {
                    setDone(null);
                    setOpen(t);
                  }}
                  variant={t.id === forward ? (t.unmet.length === 0 ? 'filled' : 'outline') : 'default'}
                >
                  {t.name}
                </Button>
                <Text size="sm">to {toName(t)}</Text>
              </Group>
              {t.unmet.length === 0 ? (
                <Text size="sm">Every gate holds.</Text>
              ) : (
                <>
                  <Text size="sm">Still missing:</Text>
                  <FoldedList lines={t.unmet} label={`What “${t.name}” still lacks`} />
                </>
              )}
            </Stack>
          </Paper>
        ))}
        {others.length > 0 && (
          <>
            <Title order={3} size="h4">
              Not yours to take
            </Title>
            {others.map((t) => (
              <Paper key={t.id} withBorder p="sm">
                <Text size="sm">
                  <strong>{t.name}</strong> (to {toName(t)}): only {rolesText(t.roles, facts)} may take it.
                </Text>
                {t.unmet.length > 0 && <FoldedList lines={t.unmet} label={`What “${t.name}” still lacks`} />}
              </Paper>
            ))}
          </>
        )}
      </Stack>
      {open && (
        <TransitionModal
          key={open.id}
          name={name}
          app={app}
          transition={open}
          version={version}
          onClose={() => setOpen(null)}
          onDone={(msg) => {
            setOpen(null);
            setDone(msg);
          }}
          toName={toName(open)}
        />
      )}
    </section>
  );
}

function TransitionModal(props: {
  name: string;
  app: string | undefined;
  transition: TransitionOption;
  version: number | undefined;
  toName: string;
  onClose: () => void;
  onDone: (msg: string) => void;
}) {
  const { name, app, transition: t } = props;
  // The version the user saw when deciding; a change by someone else meanwhile is refused, not overwritten.
  const [basedOn, setBasedOn] = useState(props.version);
  const [comment, setComment] = useState('');
  const write = useReleaseWrite(name, {
    mutationFn: async () =>
      data(
        await api.POST('/api/v1/releases/{name}/transitions', {
          params: { path: { name }, query: app ? { app } : {} },
          body: {
            transition: t.id,
            ...(comment.trim() ? { comment } : {}),
            ...((basedOn ?? props.version) !== undefined ? { version: basedOn ?? props.version } : {}),
          },
        }),
      ),
    onSuccess: () => props.onDone(`${t.name}: the release is now ${props.toName}.`),
    onError: (err) => {
      // Once told of the other change, a new attempt is based on what the page shows now.
      if (isStaleVersion(err)) setBasedOn(undefined);
    },
  });
  const missingComment = t.requireComment && comment.trim() === '';
  return (
    <Modal
      opened
      onClose={props.onClose}
      closeButtonProps={{ 'aria-label': 'Dismiss the dialog' }}
      title={`${t.name} (to ${props.toName})`}
    >
      <form
        onSubmit={(e) => {
          e.preventDefault();
          if (!missingComment) write.mutate(undefined);
        }}
      >
        <Stack>
          <Textarea
            label="Comment"
            description={t.requireComment ? 'Required: say why.' : 'Optional.'}
            required={t.requireComment}
            autosize
            minRows={3}
            value={comment}
            onChange={(e) => setComment(e.currentTarget.value)}
            data-autofocus
          />
          <WriteProblem error={write.error} title={`“${t.name}” was refused`} name={name} app={app} />
          <Group justify="flex-end">
            <Button variant="default" onClick={props.onClose}>
              Close
            </Button>
            <Button type="submit" loading={write.isPending} disabled={missingComment}>
              Take transition
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}
