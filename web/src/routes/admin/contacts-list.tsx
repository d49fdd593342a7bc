import { Button, Group, Modal, Paper, Stack, Table, Text, Title } from '@mantine/core';
import { useState } from 'react';
import { ProblemAlert } from '../../components/problem-alert';
import { ContactForm, type ContactFields } from './contacts-form';
import {
  addContact,
  patchContact,
  removeContact,
  useContactWrite,
  useContacts,
  type Contact,
  type ContactInput,
  type ContactKind,
} from './contacts-queries';

const TITLES: Record<ContactKind, { title: string; what: string }> = {
  escalation: { title: 'Escalation list', what: 'Who to call, in this order, when a release is in trouble (P16).' },
  resource: { title: 'Resource list', what: 'The person filling each role (P1).' },
  external: { title: 'External systems’ contacts', what: 'Whom to tell in the systems that send to or take from this one.' },
};

function toInput(kind: ContactKind, f: ContactFields): ContactInput {
  const body: ContactInput = { kind, person: f.person };
  if (f.role) body.role = f.role;
  if (f.system) body.system = f.system;
  if (f.phone) body.phone = f.phone;
  if (f.email) body.email = f.email;
  return body;
}

function EditDialog({ kind, contact, onClose }: { kind: ContactKind; contact: Contact; onClose: () => void }) {
  const save = useContactWrite(patchContact, onClose);
  return (
    <Modal opened onClose={onClose} title={`Edit ${contact.person}`} size="xl">
      <Stack>
        <ProblemAlert error={save.error} title="Contact not changed" />
        <ContactForm
          kind={kind}
          contact={contact}
          error={save.error}
          pending={save.isPending}
          submitLabel="Save contact"
          onSubmit={(f) =>
            save.mutate({
              id: contact.id,
              body:
                kind === 'external'
                  ? { system: f.system, person: f.person, phone: f.phone, email: f.email }
                  : { role: f.role, person: f.person, phone: f.phone, email: f.email },
            })
          }
        />
      </Stack>
    </Modal>
  );
}

/** One list of contacts (escalation, resource or external), ordered, with edits for whoever may manage contacts. */
export function ContactList({ kind, canManage }: { kind: ContactKind; canManage: boolean }) {
  const contacts = useContacts(kind);
  const [editing, setEditing] = useState<Contact | null>(null);
  // A fresh add form after each contact added: its chosen role goes too, while a refused one keeps what was typed.
  const [added, setAdded] = useState(0);
  const add = useContactWrite((f: ContactFields) => addContact(toInput(kind, f)));
  const remove = useContactWrite(removeContact);
  // Moving renumbers the list 1..n in its new order, so positions stay distinct whatever they were before.
  const move = useContactWrite(async ({ from, to }: { from: number; to: number }) => {
    const next = [...(contacts.data ?? [])];
    const [moved] = next.splice(from, 1);
    if (!moved) return;
    next.splice(to, 0, moved);
    for (const [i, c] of next.entries()) if (c.order !== i + 1) await patchContact({ id: c.id, body: { order: i + 1 } });
  });
  const { title, what } = TITLES[kind];
  const escalation = kind === 'escalation';
  const list = contacts.data ?? [];
  return (
    <Stack>
      <Title order={2}>{title}</Title>
      <Text>{what}</Text>
      {contacts.error && <ProblemAlert error={contacts.error} title="Contacts could not be loaded" />}
      <ProblemAlert error={remove.error ?? move.error} title="Not changed" />
      {contacts.isPending ? (
        <Text role="status">Loading…</Text>
      ) : list.length === 0 ? (
        <Text>Nobody listed yet.</Text>
      ) : (
        <Table.ScrollContainer minWidth={700}>
          <Table aria-label={title} striped>
            <Table.Thead>
              <Table.Tr>
                {escalation && <Table.Th>Order</Table.Th>}
                <Table.Th>{kind === 'external' ? 'System' : 'Role'}</Table.Th>
                <Table.Th>Person</Table.Th>
                <Table.Th>Phone</Table.Th>
                <Table.Th>E-mail</Table.Th>
                {canManage && <Table.Th>Actions</Table.Th>}
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {list.map((c, i) => (
                <Table.Tr key={c.id}>
                  {escalation && <Table.Td>{i + 1}</Table.Td>}
                  <Table.Td>{(kind === 'external' ? c.system : c.role) ?? '—'}</Table.Td>
                  <Table.Td>{c.person}</Table.Td>
                  <Table.Td>{c.phone ?? '—'}</Table.Td>
                  <Table.Td>{c.email ?? '—'}</Table.Td>
                  {canManage && (
                    <Table.Td>
                      <Group gap="xs" wrap="nowrap">
                        <Button size="compact-sm" variant="default" onClick={() => setEditing(c)} aria-label={`Edit ${c.person}`}>
                          Edit
                        </Button>
                        <Button
                          size="compact-sm"
                          variant="default"
                          disabled={i === 0 || move.isPending}
                          onClick={() => move.mutate({ from: i, to: i - 1 })}
                          aria-label={`Move ${c.person} up`}
                        >
                          Up
                        </Button>
                        <Button
                          size="compact-sm"
                          variant="default"
                          disabled={i === list.length - 1 || move.isPending}
                          onClick={() => move.mutate({ from: i, to: i + 1 })}
                          aria-label={`Move ${c.person} down`}
                        >
                          Down
                        </Button>
                        <Button
                          size="compact-sm"
                          variant="default"
                          color="red"
                          onClick={() => remove.mutate(c.id)}
                          aria-label={`Remove ${c.person}`}
                        >
                          Remove
                        </Button>
                      </Group>
                    </Table.Td>
                  )}
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      )}
      {canManage && (
        <Paper withBorder p="sm">
          <Stack gap="xs">
            <Title order={3} size="h5">
              Add to the {title.toLowerCase()}
            </Title>
            <ProblemAlert error={add.error} title="Contact not added" />
            <ContactForm
              key={added}
              kind={kind}
              error={add.error}
              pending={add.isPending}
              submitLabel={`Add to ${title.toLowerCase()}`}
              onSubmit={(f) => add.mutate(f, { onSuccess: () => setAdded((n) => n + 1) })}
            />
          </Stack>
        </Paper>
      )}
      {editing && <EditDialog kind={kind} contact={editing} onClose={() => setEditing(null)} />}
    </Stack>
  );
}
