import { ActionIcon, Button, Group, Modal, NativeSelect, Stack, Text, Textarea, TextInput } from '@mantine/core';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { useNavigate } from 'react-router';
import { api, data } from '../api/client';
import { fieldProblems } from '../api/problem';
import { ProblemAlert } from '../components/problem-alert';
import { useTemplateChoices } from '../components/releases-template';
import { listFieldProblems } from '../components/releases-url-filters';

type Element = { type: string; name: string };
type NewItem = { kind: string; title: string; helpdeskRef: string; description?: string; priority?: string; elements?: Element[] };

/** The form of a new work item (IR, SMCR, DR …): on success the user lands on the item's page. */
export function ItemCreateModal({ onClose }: { onClose: () => void }) {
  const template = useTemplateChoices();
  const t = template.data;
  const navigate = useNavigate();
  const qc = useQueryClient();
  const [kind, setKind] = useState('');
  const [priority, setPriority] = useState('');
  const [title, setTitle] = useState('');
  const [helpdeskRef, setHelpdeskRef] = useState('');
  const [description, setDescription] = useState('');
  const [elements, setElements] = useState<Element[]>([]);
  const chosenKind = kind || t?.workItemKinds[0]?.id || '';
  const firstElementType = t?.elementTypes[0]?.id ?? '';

  const create = useMutation({
    mutationFn: async (body: NewItem) => data(await api.POST('/api/v1/items', { body })),
    onSuccess: async (item) => {
      await qc.invalidateQueries({ queryKey: ['items'] });
      onClose();
      void navigate(`/items/${encodeURIComponent(item.key)}`);
    },
  });
  const submit = (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const named = elements.filter((x) => x.name.trim() !== '').map((x) => ({ type: x.type, name: x.name.trim() }));
    create.mutate({
      kind: chosenKind,
      title,
      helpdeskRef,
      ...(description.trim() ? { description } : {}),
      ...(priority ? { priority } : {}),
      ...(named.length ? { elements: named } : {}),
    });
  };
  const setElement = (i: number, change: Partial<Element>) => setElements((all) => all.map((x, j) => (j === i ? { ...x, ...change } : x)));

  return (
    <Modal opened onClose={onClose} title="New work item" size="lg">
      <form onSubmit={submit} aria-label="New work item" noValidate>
        <Stack>
          <ProblemAlert error={template.error} title="The process template could not be read" />
          <ProblemAlert error={create.error} title="The work item was not created" />
          <NativeSelect
            label="Kind"
            value={chosenKind}
            onChange={(e) => setKind(e.currentTarget.value)}
            data={(t?.workItemKinds ?? []).map((k) => ({ value: k.id, label: `${k.id} — ${k.name}` }))}
            error={fieldProblems(create.error, 'kind')}
            required
          />
          <TextInput
            label="Title"
            value={title}
            onChange={(e) => setTitle(e.currentTarget.value)}
            error={fieldProblems(create.error, 'title')}
            required
          />
          <TextInput
            label="Help-desk reference"
            value={helpdeskRef}
            onChange={(e) => setHelpdeskRef(e.currentTarget.value)}
            error={fieldProblems(create.error, 'helpdeskRef')}
            required
          />
          <NativeSelect
            label="Priority"
            value={priority}
            onChange={(e) => setPriority(e.currentTarget.value)}
            data={[{ value: '', label: 'The template’s default' }, ...(t?.priorities ?? []).map((p) => ({ value: p.id, label: p.name }))]}
            error={fieldProblems(create.error, 'priority')}
          />
          <Textarea
            label="Description"
            value={description}
            onChange={(e) => setDescription(e.currentTarget.value)}
            error={fieldProblems(create.error, 'description')}
            autosize
            minRows={2}
          />
          <Stack gap="xs" component="fieldset" style={{ border: 0, padding: 0, margin: 0 }}>
            <Text component="legend" fw={500} size="sm">
              Elements
            </Text>
            {elements.map((el, i) => (
              <Group key={i} align="end" gap="xs">
                <NativeSelect
                  label={`Element ${i + 1} type`}
                  value={el.type}
                  onChange={(e) => setElement(i, { type: e.currentTarget.value })}
                  data={(t?.elementTypes ?? []).map((x) => ({ value: x.id, label: x.name }))}
                />
                <TextInput
                  label={`Element ${i + 1} name`}
                  value={el.name}
                  onChange={(e) => setElement(i, { name: e.currentTarget.value })}
                  style={{ flex: 1 }}
                />
                <ActionIcon
                  variant="subtle"
                  color="red.9"
                  size="lg"
                  aria-label={`Remove element ${i + 1}`}
                  onClick={() => setElements((all) => all.filter((_, j) => j !== i))}
                >
                  ×
                </ActionIcon>
              </Group>
            ))}
            {listFieldProblems(create.error, 'elements') && (
              <Text c="red.9" size="sm" role="alert">
                {listFieldProblems(create.error, 'elements')}
              </Text>
            )}
            <Button
              variant="light"
              size="compact-sm"
              w="fit-content"
              onClick={() => setElements((all) => [...all, { type: firstElementType, name: '' }])}
            >
              Add element
            </Button>
          </Stack>
          <Group justify="flex-end">
            <Button variant="default" onClick={onClose}>
              Cancel
            </Button>
            <Button type="submit" loading={create.isPending}>
              Create work item
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}
