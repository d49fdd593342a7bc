import { Button, Modal, Stack, Table, Text, Title } from '@mantine/core';
import { useState } from 'react';
import { MailText, mailStatusText, type Mail } from '../../components/mail-text';
import { ProblemAlert } from '../../components/problem-alert';
import { useMe } from '../../session';
import { RetryMail } from './mail-retry';
import { SendMailForm } from './mail-send';
import { releaseKey, useReleaseDetail, useReleaseMails, useReleaseRef } from './queries';
import { when } from './tests-evidence';
import { useTemplateLists } from './tests-template';

/** The mails sent about the release: to whom, what, and what became of each; the text of one on request. */
export default function MailTab() {
  const { name, app } = useReleaseRef();
  const me = useMe();
  const [open, setOpen] = useState<Mail | null>(null);
  // The mail the dialog shows, kept while it fades out after `open` is cleared.
  const [shown, setShown] = useState<Mail | null>(null);
  const release = useReleaseDetail(name, app);
  const lists = useTemplateLists(me.can('mail.send') ? release.data : undefined);
  const mails = useReleaseMails(name, app);

  return (
    <Stack>
      <Title order={2}>E-mails</Title>
      {me.can('mail.send') && lists.data && <SendMailForm name={name} app={app} templates={lists.data.mailTemplates} />}
      <ProblemAlert error={mails.error} title="The mails could not be shown" />
      {mails.isPending ? (
        <p role="status">Loading…</p>
      ) : !mails.data || mails.data.items.length === 0 ? (
        <Text>No mails have been sent about this release.</Text>
      ) : (
        <Table.ScrollContainer minWidth={900}>
          <Table striped aria-label={`Mails about ${name}, newest first`}>
            <Table.Thead>
              <Table.Tr>
                <Table.Th scope="col">Queued</Table.Th>
                <Table.Th scope="col">Subject</Table.Th>
                <Table.Th scope="col">Recipients</Table.Th>
                <Table.Th scope="col">Status</Table.Th>
                <Table.Th scope="col">By</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {mails.data.items.map((m) => (
                <Table.Tr key={m.id}>
                  <Table.Td>{when(m.createdAt)}</Table.Td>
                  <Table.Td>
                    <Button
                      variant="subtle"
                      size="compact-sm"
                      onClick={() => {
                        setShown(m);
                        setOpen(m);
                      }}
                      aria-label={`Read the mail “${m.subject}”`}
                    >
                      {m.subject}
                    </Button>
                  </Table.Td>
                  <Table.Td>
                    <Text size="sm">To: {m.to.join(', ') || 'nobody'}</Text>
                    {m.cc.length > 0 && <Text size="sm">Cc: {m.cc.join(', ')}</Text>}
                  </Table.Td>
                  <Table.Td>
                    <Text size="sm" fw={600}>
                      {mailStatusText(m)}
                    </Text>
                    {m.sentAt && <Text size="xs">sent {when(m.sentAt)}</Text>}
                    {m.lastError && <Text size="xs">Error: {m.lastError}</Text>}
                    {me.can('mail.send') && m.status !== 'sent' && m.attempts > 0 && (
                      <RetryMail name={name} app={app} id={m.id} subject={m.subject} />
                    )}
                  </Table.Td>
                  <Table.Td>{m.createdBy}</Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      )}
      <Modal
        closeButtonProps={{ 'aria-label': 'Close' }}
        opened={open !== null}
        onClose={() => setOpen(null)}
        title={shown?.subject ?? 'Mail'}
        size="xl"
      >
        {shown && <MailText mail={shown} queryKey={releaseKey(name, 'mail', app)} app={app} />}
      </Modal>
    </Stack>
  );
}
