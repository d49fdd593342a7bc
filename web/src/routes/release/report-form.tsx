import { Alert, Button, Group, Paper, Stack, Text, Textarea, TextInput, Title } from '@mantine/core';
import { useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { api, data } from '../../api/client';
import { ProblemError } from '../../api/problem';
import { ProblemAlert } from '../../components/problem-alert';
import type { Report, ReleaseEvidence } from './approval-types';
import { releaseKey, useReleaseWrite, type ReleaseDetail } from './queries';
import type { ReportDef } from './road-template';

type Props = {
  name: string;
  app: string | undefined;
  def: ReportDef;
  report: Report | undefined;
  release: ReleaseDetail;
  mayWrite: boolean;
};

const splitRefs = (s: string) =>
  s
    .split(/[\s,;]+/)
    .map((x) => x.trim())
    .filter((x) => x !== '');

/** A report such as the Emergency Release Report: its parts and the help-desk records it refers to. */
export function ReportForm({ name, app, def, report, release, mayWrite }: Props) {
  const headingId = `report-${def.id}`;
  return (
    <Paper component="section" aria-labelledby={headingId} withBorder p="sm">
      <Stack gap="xs">
        <Title order={3} size="h4" id={headingId}>
          {def.name}
        </Title>
        <Text size="sm">
          {report ? `Written by ${report.writtenBy}, ${new Date(report.writtenAt).toLocaleString()}.` : 'Not written yet.'}
        </Text>
        {mayWrite ? (
          <ReportEditor name={name} app={app} def={def} report={report} release={release} />
        ) : (
          <ReportText def={def} report={report} />
        )}
      </Stack>
    </Paper>
  );
}

function ReportText({ def, report }: { def: ReportDef; report: Report | undefined }) {
  if (!report) return null;
  return (
    <dl>
      {def.parts.map((p) => (
        <div key={p.id}>
          <dt>
            <strong>{p.name}</strong>
          </dt>
          <dd style={{ whiteSpace: 'pre-wrap', marginLeft: 0 }}>{report.parts[p.id] ?? '—'}</dd>
        </div>
      ))}
      <dt>
        <strong>Help-desk references</strong>
      </dt>
      <dd style={{ marginLeft: 0 }}>{report.helpdeskRefs.join(', ') || '—'}</dd>
    </dl>
  );
}

function ReportEditor({ name, app, def, report, release }: Omit<Props, 'mayWrite'>) {
  const qc = useQueryClient();
  const [parts, setParts] = useState<Record<string, string>>(() => ({ ...(report?.parts ?? {}) }));
  const [refs, setRefs] = useState(() => (report?.helpdeskRefs ?? []).join(', '));
  // The report as it was when editing began: someone else's save since is not overwritten unasked.
  const [basedOn, setBasedOn] = useState(report?.writtenAt ?? null);
  const [conflict, setConflict] = useState<string | null>(null);
  const [saved, setSaved] = useState<string | null>(null);
  const write = useReleaseWrite(name, {
    mutationFn: async () => {
      const query = app ? { app } : {};
      const fresh = await qc.fetchQuery({
        queryKey: releaseKey(name, 'evidence', app),
        queryFn: async (): Promise<ReleaseEvidence> =>
          data(await api.GET('/api/v1/releases/{name}/evidence', { params: { path: { name }, query } })),
        staleTime: 0,
      });
      const now = fresh.reports.find((r) => r.report === def.id);
      if ((now?.writtenAt ?? null) !== basedOn && now) {
        setBasedOn(now.writtenAt);
        throw new Error(
          `${now.writtenBy} saved the ${def.name} at ${new Date(now.writtenAt).toLocaleString()}, after you began. Nothing was saved; read theirs (reload the page) or save again to replace it.`,
        );
      }
      return data(
        await api.PUT('/api/v1/releases/{name}/reports/{report}', {
          params: { path: { name, report: def.id }, query },
          body: { parts, helpdeskRefs: splitRefs(refs) },
        }),
      );
    },
    onMutate: () => {
      setSaved(null);
      setConflict(null);
    },
    onSuccess: (r) => {
      setBasedOn(r.writtenAt);
      setSaved(`Saved, ${new Date(r.writtenAt).toLocaleString()}.`);
    },
    onError: (err) => {
      if (!(err instanceof ProblemError)) setConflict(err.message);
    },
  });
  const err = write.error instanceof ProblemError ? write.error : null;
  const refErrors = (err?.problem.errors ?? []).filter((e) => (e.path ?? e.field ?? '').startsWith('helpdeskRefs')).map((e) => e.message);
  const candidates = release.items.filter((i) => def.refKinds.length === 0 || def.refKinds.includes(i.kind));
  return (
    <form
      onSubmit={(e) => {
        e.preventDefault();
        write.mutate(undefined);
      }}
    >
      <Stack gap="sm">
        {def.parts.map((p) => (
          <Textarea
            key={p.id}
            label={p.name}
            autosize
            minRows={2}
            value={parts[p.id] ?? ''}
            onChange={(e) => {
              const v = e.currentTarget.value;
              setParts((old) => ({ ...old, [p.id]: v }));
            }}
            error={err?.problem.errors?.find((x) => x.path === `parts.${p.id}`)?.message}
          />
        ))}
        <TextInput
          label="Help-desk references"
          description={`Separated by commas${def.refKinds.length ? `; ${def.refKinds.join(' or ')} records of work items on this release` : ''}${
            candidates.length
              ? `, e.g. ${candidates
                  .slice(0, 5)
                  .map((i) => `${i.helpdeskRef} (${i.key})`)
                  .join(', ')}`
              : ''
          }${def.refsRequired ? '. At least one is needed.' : '.'}`}
          value={refs}
          onChange={(e) => setRefs(e.currentTarget.value)}
          error={refErrors.length ? refErrors.join('; ') : undefined}
        />
        {err && <ProblemAlert error={err} title={`The ${def.name} was not saved`} />}
        {conflict && (
          <Alert color="red" variant="light" role="alert" title="Someone else saved it first">
            {conflict}
          </Alert>
        )}
        <div role="status">{saved && <Text size="sm">{saved}</Text>}</div>
        <Group>
          <Button type="submit" loading={write.isPending}>
            Save the report
          </Button>
        </Group>
      </Stack>
    </form>
  );
}
