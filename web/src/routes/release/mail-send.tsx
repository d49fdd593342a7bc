import { Button, Group, Select, Stack, Textarea, TextInput, Title } from '@mantine/core';
import { useState, type FormEvent } from 'react';
import { api, data } from '../../api/client';
import { fieldProblems } from '../../api/problem';
import { formText } from '../../components/form-value';
import { ProblemAlert } from '../../components/problem-alert';
import { useReleaseWrite } from './queries';
import type { Named } from './tests-template';

type Send = { template: string; note?: string; to?: string[] };

/** Send one of the template's mails about the release (mail.send); it is queued and delivered in the background. */
export function SendMailForm({ name, app, templates }: { name: string; app: string | undefined; templates: Named[] }) {
  const [template, setTemplate] = useState<string | null>(null);
  const [done, setDone] = useState<string | null>(null);
  const send = useReleaseWrite<Send, { subject: string }>(name, {
    mutationFn: async (body) =>
      data(await api.POST('/api/v1/releases/{name}/mail', { params: { path: { name }, query: app ? { app } : {} }, body })),
  });
  const submit = (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const form = e.currentTarget;
    const fd = new FormData(form);
    const note = formText(fd, 'note').trim();
    const to = formText(fd, 'to')
      .split(/[,\s]+/)
      .filter((s) => s !== '');
    send.mutate(
      { template: template ?? '', ...(note ? { note } : {}), ...(to.length ? { to } : {}) },
      {
        onSuccess: (m) => {
          setDone(`Queued: ${m.subject}`);
          form.reset();
        },
      },
    );
  };
  return (
    <form onSubmit={submit} aria-labelledby="send-mail-title">
      <Stack gap="xs">
        <Title order={3} size="h4" id="send-mail-title">
          Send a mail about this release
        </Title>
        <Group align="flex-start">
          <Select
            label="Mail"
            required
            data={templates.map((t) => ({ value: t.id, label: t.name }))}
            value={template}
            onChange={setTemplate}
            miw={320}
            error={fieldProblems(send.error, 'template')}
          />
          <TextInput
            name="to"
            label="Extra recipients"
            description="Addresses, role:<id> or group:<id>, separated by commas"
            miw={320}
            error={fieldProblems(send.error, 'to')}
          />
        </Group>
        <Textarea name="note" label="Note for the mail" autosize minRows={2} maxRows={8} />
        <Group>
          <Button type="submit" loading={send.isPending}>
            Send mail
          </Button>
        </Group>
        {done && !send.error && <p role="status">{done}</p>}
        <ProblemAlert error={send.error} title="The mail was not sent" />
      </Stack>
    </form>
  );
}
