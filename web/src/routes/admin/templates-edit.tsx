import { Alert, Button, Group, List, Stack, Text, Textarea, TextInput, Title } from '@mantine/core';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { lazy, Suspense, useState, type FormEvent } from 'react';
import { api, data } from '../../api/client';
import { fieldProblems, ProblemError } from '../../api/problem';
import { formText } from '../../components/form-value';
import { ProblemAlert } from '../../components/problem-alert';
import { templatesKey } from './templates-queries';

const YamlView = lazy(() => import('./templates-yaml'));

type Located = { line: number | null; path: string; message: string };

/** The line a template problem names: `… (line 12)` after a path, or `line 12, column 3: …` for the YAML itself. */
function located(err: unknown): Located[] {
  if (!(err instanceof ProblemError)) return [];
  return (err.problem.errors ?? []).map((e) => {
    const m = /\(line (\d+)\)$/.exec(e.message) ?? /^line (\d+), column \d+/.exec(e.message);
    return { line: m ? Number(m[1]) : null, path: e.path ?? e.field ?? '', message: e.message.replace(/ \(line \d+\)$/, '') };
  });
}

function near(lines: number[], total: number): Set<number> {
  const out = new Set<number>();
  for (const l of lines) for (let n = Math.max(1, l - 2); n <= Math.min(total, l + 2); n += 1) out.add(n);
  return out;
}

function Problems({ problems, yaml, title }: { problems: Located[]; yaml: string; title: string }) {
  const marked = new Map<number, string>();
  for (const p of problems) if (p.line !== null) marked.set(p.line, [marked.get(p.line), p.message].filter(Boolean).join('; '));
  return (
    <Stack gap="xs">
      <Alert color="red" variant="light" role="alert" title={title}>
        <List size="sm">
          {problems.map((p, i) => (
            <List.Item key={i}>
              {p.line !== null ? `Line ${p.line}: ` : ''}
              {p.path ? `${p.path}: ` : ''}
              {p.message}
            </List.Item>
          ))}
        </List>
      </Alert>
      {marked.size > 0 && (
        <Suspense fallback={<p role="status">Loading…</p>}>
          <YamlView yaml={yaml} label="The lines with problems" marked={marked} only={near([...marked.keys()], yaml.split('\n').length)} />
        </Suspense>
      )}
    </Stack>
  );
}

/** An administrator's edit of the version in force: validate it, then publish it with its document-control record. */
export default function TemplateEdit({ yaml: original, inForce }: { yaml: string; inForce: number }) {
  const qc = useQueryClient();
  const [yaml, setYaml] = useState(original);
  const validate = useMutation({
    mutationFn: async (text: string) => data(await api.POST('/api/v1/templates/validate', { body: { yaml: text } })),
  });
  const publish = useMutation({
    mutationFn: async (body: { yaml: string; changes: string; preparedBy: string; reviewedBy: string }) =>
      data(await api.POST('/api/v1/templates', { body })),
    onSuccess: () => qc.invalidateQueries({ queryKey: templatesKey() }),
  });
  const checked = validate.variables === yaml ? validate : null;
  const onPublish = (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const f = new FormData(e.currentTarget);
    publish.mutate({ yaml, changes: formText(f, 'changes'), preparedBy: formText(f, 'preparedBy'), reviewedBy: formText(f, 'reviewedBy') });
  };
  const publishProblems = located(publish.error);
  return (
    <Stack>
      <Title order={2}>Edit and publish</Title>
      <Text>
        Changes start from version {inForce}, the version in force. Validate checks the template as publishing would, without publishing it.
      </Text>
      <Textarea
        label="Template YAML"
        value={yaml}
        onChange={(e) => setYaml(e.currentTarget.value)}
        autosize
        minRows={12}
        maxRows={30}
        spellCheck={false}
        styles={{ input: { fontFamily: 'monospace', fontSize: 13 } }}
      />
      <Group>
        <Button variant="default" onClick={() => validate.mutate(yaml)} loading={validate.isPending}>
          Validate
        </Button>
        <Button variant="subtle" onClick={() => setYaml(original)} disabled={yaml === original}>
          Start again from version {inForce}
        </Button>
      </Group>
      {checked?.isSuccess && (
        <Alert color="green" variant="light" role="status" title="The template is valid">
          {checked.data.sectionsChanged.length === 0
            ? `It is the same as version ${inForce}.`
            : `Sections changed from version ${checked.data.inForce ?? '–'}: ${checked.data.sectionsChanged.join(', ')}`}
        </Alert>
      )}
      {checked?.isError &&
        (located(checked.error).length > 0 ? (
          <Problems problems={located(checked.error)} yaml={yaml} title={`${located(checked.error).length} problem(s) in the template`} />
        ) : (
          <ProblemAlert error={checked.error} title="The template could not be validated" />
        ))}

      <form onSubmit={onPublish} aria-label="Publish a new version">
        <Stack>
          <Title order={3}>Document-control record</Title>
          <Textarea
            name="changes"
            label="What this version changes"
            required
            autosize
            minRows={2}
            error={fieldProblems(publish.error, 'changes')}
          />
          <Group grow>
            <TextInput name="preparedBy" label="Prepared by" required error={fieldProblems(publish.error, 'preparedBy')} />
            <TextInput name="reviewedBy" label="Reviewed by" required error={fieldProblems(publish.error, 'reviewedBy')} />
          </Group>
          <Group>
            <Button type="submit" loading={publish.isPending}>
              Publish version {inForce + 1}
            </Button>
          </Group>
          {publish.isSuccess && (
            <Alert color="green" variant="light" role="status" title={`Version ${publish.data.version} published`}>
              Sections changed: {publish.data.sectionsChanged.join(', ') || 'none'}
              {publish.data.notices.map((n) => (
                <Text key={n} size="sm">
                  {n}
                </Text>
              ))}
            </Alert>
          )}
          {publish.isError &&
            (publishProblems.some((p) => p.line !== null) ? (
              <Problems problems={publishProblems} yaml={yaml} title="The version was not published" />
            ) : (
              <ProblemAlert error={publish.error} title="The version was not published" />
            ))}
        </Stack>
      </form>
    </Stack>
  );
}
