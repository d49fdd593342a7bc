import { Button, Group, Select, TextInput } from '@mantine/core';
import { useState, type FormEvent } from 'react';
import { fieldProblems } from '../../api/problem';
import { formText } from '../../components/form-value';
import { roleOptions, useTemplateRoles } from './users-roles';
import type { Contact, ContactKind } from './contacts-queries';

export type ContactFields = { role: string | null; system: string | null; person: string; phone: string | null; email: string | null };

/** The fields of a contact of one kind: a role for resource and escalation contacts, a system for external ones. */
export function ContactForm({
  kind,
  contact,
  error,
  pending,
  submitLabel,
  onSubmit,
}: {
  kind: ContactKind;
  contact?: Contact;
  error: unknown;
  pending: boolean;
  submitLabel: string;
  onSubmit: (fields: ContactFields, form: HTMLFormElement) => void;
}) {
  const template = useTemplateRoles();
  const [pick, setPick] = useState<string | null>((kind === 'external' ? contact?.system : contact?.role) ?? null);
  const submit = (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const form = e.currentTarget;
    const f = new FormData(form);
    const opt = (name: string) => formText(f, name).trim() || null;
    onSubmit(
      {
        role: kind === 'external' ? null : pick,
        system: kind === 'external' ? pick : null,
        person: formText(f, 'person').trim(),
        phone: opt('phone'),
        email: opt('email'),
      },
      form,
    );
  };
  const external = kind === 'external';
  return (
    <form onSubmit={submit} aria-label={submitLabel}>
      <Group align="flex-start">
        <Select
          label={external ? 'System' : 'Role'}
          required
          searchable
          data={roleOptions(external ? template.data?.systems : template.data?.roles)}
          value={pick}
          onChange={setPick}
          error={fieldProblems(error, external ? 'system' : 'role')}
        />
        <TextInput name="person" label="Person" required defaultValue={contact?.person} error={fieldProblems(error, 'person')} />
        <TextInput name="phone" label="Phone" type="tel" defaultValue={contact?.phone ?? ''} error={fieldProblems(error, 'phone')} />
        <TextInput name="email" label="E-mail" type="email" defaultValue={contact?.email ?? ''} error={fieldProblems(error, 'email')} />
        <Button type="submit" loading={pending} mt={25}>
          {submitLabel}
        </Button>
      </Group>
    </form>
  );
}
