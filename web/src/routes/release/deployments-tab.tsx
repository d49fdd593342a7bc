import { Accordion, Anchor, Button, Code, Group, List, Paper, Select, Stack, Table, Text, Title } from '@mantine/core';
import { useEffect, useRef, useState } from 'react';
import { api, data } from '../../api/client';
import { ProblemAlert } from '../../components/problem-alert';
import { RunStateBadge as StateBadge } from '../../components/run-state-badge';
import { useMe } from '../../session';
import { StepActions } from './deployments-actions';
import { underWay, useRunLog, useRuns, type Run, type RunStep } from './deployments-data';
import { fileUrl, formatBytes } from './packages-queries';
import { useReleaseDetail, useReleaseRef, useReleaseWrite } from './queries';
import { useReleaseTemplate, type ReleaseTemplate } from './template';
import { when } from './tests-evidence';

/** The release's deployment runs: start one, follow its steps and log, and do the steps that are the signed-in person's. */
export default function DeploymentsTab() {
  const { name, app } = useReleaseRef();
  const runs = useRuns(name, app);
  const release = useReleaseDetail(name, app);
  const template = useReleaseTemplate(release.data?.template);
  const [open, setOpen] = useState<string[] | null>(null);
  const roles = template.data?.roles;
  const roleNames = (ids: string[]) => ids.map((id) => roles?.find((r) => r.id === id)?.name ?? id).join(', ');

  if (runs.error) return <ProblemAlert error={runs.error} title="The deployments could not be shown" />;
  if (!runs.data) return <p role="status">Loading…</p>;
  const list = runs.data;
  // The newest run is open until the person opens or closes one.
  const opened = open ?? (list[0] ? [String(list[0].number)] : []);
  return (
    <Stack>
      <Title order={2}>Deployments</Title>
      {template.data && release.data && (
        <StartDeployment
          name={name}
          app={app}
          state={release.data.state}
          template={template.data}
          onStarted={(run) => setOpen([String(run.number)])}
        />
      )}
      {template.error && <ProblemAlert error={template.error} title="The process template could not be read" />}
      {list.length === 0 ? (
        <Text>No deployment run yet.</Text>
      ) : (
        <Accordion multiple value={opened} onChange={setOpen} variant="separated" order={3}>
          {list.map((r) => (
            <Accordion.Item key={r.number} value={String(r.number)}>
              <Accordion.Control>
                Run {r.number} to {r.environmentName}: {r.state}
              </Accordion.Control>
              <Accordion.Panel>
                {opened.includes(String(r.number)) && <RunView name={name} app={app} run={r} roleNames={roleNames} />}
              </Accordion.Panel>
            </Accordion.Item>
          ))}
        </Accordion>
      )}
    </Stack>
  );
}

function StartDeployment({
  name,
  app,
  state,
  template,
  onStarted,
}: {
  name: string;
  app: string | undefined;
  state: string;
  template: ReleaseTemplate;
  onStarted: (run: Run) => void;
}) {
  const { session } = useMe();
  const roles = session.user.roles;
  const envName = (id: string) => template.environments.find((e) => e.id === id)?.name ?? id;
  const stateName = (id: string) => template.states.find((s) => s.id === id)?.name ?? id;
  const roleName = (ids: string[]) => ids.map((id) => template.roles.find((r) => r.id === id)?.name ?? id).join(', ');
  const mine = template.deployments.filter((d) => d.roles.some((r) => roles.includes(r)));
  const [environment, setEnvironment] = useState<string | null>(null);
  const start = useReleaseWrite<string, Run>(name, {
    mutationFn: async (env) =>
      data(
        await api.POST('/api/v1/releases/{name}/deployments', {
          params: { path: { name }, query: app ? { app } : {} },
          body: { environment: env },
        }),
      ),
    onSuccess: (run) => onStarted(run),
  });
  if (template.deployments.length === 0) return <Text size="sm">The release’s process template plans no deployment.</Text>;
  if (mine.length === 0)
    return (
      <Text size="sm">
        Deployments are started by: {template.deployments.map((d) => `${envName(d.environment)}: ${roleName(d.roles)}`).join('; ')}.
      </Text>
    );
  // Where the release's state allows a start comes first; the others are offered too, and the server says what is missing.
  const sorted = [...mine].sort((a, b) => Number(b.states.includes(state)) - Number(a.states.includes(state)));
  const chosen = environment ?? sorted.find((d) => d.states.includes(state))?.environment ?? null;
  const plan = mine.find((d) => d.environment === chosen);
  return (
    <Paper withBorder p="sm">
      <form
        onSubmit={(e) => {
          e.preventDefault();
          if (chosen) start.mutate(chosen);
        }}
      >
        <Stack gap="xs">
          <Group align="end">
            <Select
              label="Environment"
              data={sorted.map((d) => ({ value: d.environment, label: envName(d.environment) }))}
              value={chosen}
              onChange={(v) => {
                setEnvironment(v);
                start.reset();
              }}
              allowDeselect={false}
              w={260}
            />
            <Button type="submit" disabled={!chosen} loading={start.isPending}>
              Start deployment
            </Button>
          </Group>
          {plan && (
            <Text size="sm">
              A run to {envName(plan.environment)} starts when the release is {plan.states.map(stateName).join(' or ')}
              {plan.gates.length > 0 ? ` and its gates hold (${plan.gates.join(', ')})` : ''}; the release is {stateName(state)}.
            </Text>
          )}
          <ProblemAlert error={start.error} title="The deployment did not start" />
        </Stack>
      </form>
    </Paper>
  );
}

function RunView({ name, app, run, roleNames }: { name: string; app: string | undefined; run: Run; roleNames: (ids: string[]) => string }) {
  const anyActions = run.steps.some((s) => s.actions.length > 0);
  return (
    <Stack gap="sm">
      <Group gap="xs">
        <StateBadge state={run.state} />
        <Text size="sm">
          Started by {run.startedBy}, {when(run.startedAt)}
          {run.finishedAt ? `; finished ${when(run.finishedAt)}` : ''}
          {' · '}
          {run.packages.map((p) => `${p.channel} v${p.version}`).join(', ') || 'no package'}
        </Text>
      </Group>
      <Table.ScrollContainer minWidth={900}>
        <Table layout="fixed" verticalSpacing="xs" aria-label={`Steps of run ${run.number} to ${run.environmentName}`}>
          <Table.Thead>
            <Table.Tr>
              <Table.Th scope="col" w="30%">
                Step
              </Table.Th>
              <Table.Th scope="col" w={120}>
                State
              </Table.Th>
              <Table.Th scope="col" w={180}>
                Who and when
              </Table.Th>
              <Table.Th scope="col">Outcome</Table.Th>
              {anyActions && (
                <Table.Th scope="col" w={150}>
                  Your actions
                </Table.Th>
              )}
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {run.steps.map((s) => (
              <Table.Tr key={s.step} data-step={s.step}>
                <Table.Th scope="row" fw={400}>
                  <Text fw={600} size="sm">
                    {s.position + 1}. {s.name}
                  </Text>
                  <Text size="xs">
                    {s.kind}
                    {s.channel ? `, ${s.channel} channel` : ''}; by {roleNames(s.roles)}
                  </Text>
                  {s.state === 'running' && s.kind === 'manual' && <ManualWork name={name} app={app} run={run} step={s} />}
                </Table.Th>
                <Table.Td>
                  <StateBadge state={s.state} />
                  {s.attempts > 1 && <Text size="xs">attempt {s.attempts}</Text>}
                </Table.Td>
                <Table.Td>
                  <Text size="sm">{s.by ?? (s.state === 'running' && s.kind === 'manual' ? `waiting for ${roleNames(s.roles)}` : '')}</Text>
                  {s.startedAt && <Text size="xs">started {when(s.startedAt)}</Text>}
                  {s.finishedAt && <Text size="xs">finished {when(s.finishedAt)}</Text>}
                </Table.Td>
                <Table.Td style={{ overflowWrap: 'anywhere' }}>
                  {s.outcome && <Text size="sm">{s.outcome}</Text>}
                  <Evidence step={s} />
                </Table.Td>
                {anyActions && (
                  <Table.Td>
                    <StepActions name={name} app={app} run={run} step={s} />
                  </Table.Td>
                )}
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </Table.ScrollContainer>
      <RunLog name={name} app={app} run={run} />
    </Stack>
  );
}

/** What a person doing a manual step needs: its instructions, the checklist tasks it is read with, and the run's package files to download. */
function ManualWork({ name, app, run, step }: { name: string; app: string | undefined; run: Run; step: RunStep }) {
  const packages = run.packages.filter((p) => step.channel === null || p.channel === step.channel);
  const files = packages.flatMap((p) => p.files.map((f) => ({ ...f, channel: p.channel })));
  return (
    <Stack gap={4} mt="xs">
      {step.instructions && (
        <Text size="sm" style={{ whiteSpace: 'pre-wrap' }}>
          {step.instructions}
        </Text>
      )}
      {step.documents.length > 0 && (
        <List size="sm" aria-label={`Read with ${step.name}`}>
          {step.documents.map((d) => {
            const link = typeof d.evidence?.link === 'string' ? d.evidence.link : null;
            const mail = typeof d.evidence?.mailSubject === 'string' ? d.evidence.mailSubject : null;
            return (
              <List.Item key={d.task}>
                {d.title}: {d.status === 'done' ? 'done' : d.status}
                {d.note ? ` — ${d.note}` : ''}
                {mail ? ` (mail "${mail}")` : ''}
                {link && (
                  <>
                    {' '}
                    <Anchor href={link} target="_blank" rel="noreferrer">
                      {link}
                    </Anchor>
                  </>
                )}
              </List.Item>
            );
          })}
        </List>
      )}
      {files.length > 0 && (
        <List size="sm" aria-label={`Package files for ${step.name}`}>
          {files.map((f) => (
            <List.Item key={f.sha256}>
              <Anchor href={fileUrl(name, app, f.channel, f.version)} download={f.fileName}>
                Download {f.fileName}
              </Anchor>{' '}
              ({f.channel} v{f.version}, {formatBytes(f.size)})
            </List.Item>
          ))}
        </List>
      )}
    </Stack>
  );
}

type TransferredFile = { name: string; size?: number; sha256: string; verifiedBy?: string };
type CommandDone = { name: string; exitCode: number | null };

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** What an automatic step did: the files it transferred and how each was verified, or the exit codes of its commands. */
function Evidence({ step }: { step: RunStep }) {
  const e = step.evidence;
  if (!e) return null;
  const files = Array.isArray(e.files)
    ? e.files.filter((f): f is TransferredFile => isObject(f) && typeof f.name === 'string' && typeof f.sha256 === 'string')
    : [];
  const commands = Array.isArray(e.commands) ? e.commands.filter((c): c is CommandDone => isObject(c) && typeof c.name === 'string') : [];
  return (
    <Stack gap={4} mt={4}>
      {typeof e.target === 'string' && <Text size="xs">To {e.target}</Text>}
      {files.length > 0 && (
        <List size="sm" aria-label={`Files verified by ${step.name}`}>
          {files.map((f) => (
            <List.Item key={f.name}>
              <Text size="sm" span fw={500}>
                {f.name}
              </Text>
              {f.size !== undefined ? ` (${formatBytes(f.size)})` : ''}, verified by {f.verifiedBy ?? 'checksum'}; SHA-256{' '}
              <Code aria-label={`SHA-256 of ${f.name}`} style={{ wordBreak: 'break-all' }}>
                {f.sha256}
              </Code>
            </List.Item>
          ))}
        </List>
      )}
      {typeof e.exitCode === 'number' && <Text size="xs">Exit code {e.exitCode}</Text>}
      {commands.length > 0 && (
        <List size="xs">
          {commands.map((c, i) => (
            <List.Item key={i}>
              {c.name}: exit code {c.exitCode ?? 'none'}
            </List.Item>
          ))}
        </List>
      )}
    </Stack>
  );
}

const time = (iso: string) => new Date(iso).toLocaleTimeString();

/** The run's log, followed while the run is under way; a screen reader hears the new lines. */
function RunLog({ name, app, run }: { name: string; app: string | undefined; run: Run }) {
  const { lines, error } = useRunLog(name, app, run.number, run.state);
  const box = useRef<HTMLPreElement>(null);
  useEffect(() => {
    const el = box.current;
    if (el) el.scrollTop = el.scrollHeight;
  }, [lines.length]);
  const label = `Log of run ${run.number}`;
  return (
    <Stack gap={4}>
      <Title order={4}>
        {label}
        {underWay(run.state) ? ' (following)' : ''}
      </Title>
      <ProblemAlert error={error} title="The log could not be read" />
      <pre
        ref={box}
        role="log"
        aria-live="polite"
        aria-label={label}
        tabIndex={0}
        style={{
          maxHeight: 260,
          overflow: 'auto',
          margin: 0,
          padding: 'var(--mantine-spacing-xs)',
          border: '1px solid var(--mantine-color-gray-4)',
          borderRadius: 'var(--mantine-radius-sm)',
          fontSize: 12,
          whiteSpace: 'pre-wrap',
          wordBreak: 'break-word',
        }}
      >
        {lines.length === 0
          ? 'No line yet.'
          : lines.map((l) => (
              <span key={l.seq}>
                {time(l.at)} {l.step ? `[${l.step}] ` : ''}
                {l.stream === 'error' ? 'ERROR ' : ''}
                {l.line}
                {'\n'}
              </span>
            ))}
      </pre>
    </Stack>
  );
}
