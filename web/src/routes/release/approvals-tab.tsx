import { Stack, Text, Title } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { api, data } from '../../api/client';
import { ProblemAlert } from '../../components/problem-alert';
import { useMe } from '../../session';
import { ApprovalDecideModal, type Decision } from './approval-decide';
import { ApprovalRequestModal } from './approval-request';
import { ApprovalStepCard } from './approval-step';
import type { ApprovalStep, ReleaseEvidence } from './approval-types';
import { releaseKey, useReleaseDetail, useReleaseRef } from './queries';
import { ReportForm } from './report-form';
import { useTemplateFacts } from './road-template';

type Open = { kind: 'decide'; step: ApprovalStep; decision: Decision } | { kind: 'request'; step: ApprovalStep } | null;

/** Approvals (with their voided decisions), the sign-off's attestations, and the release's reports. */
export default function ApprovalsTab() {
  const { name, app } = useReleaseRef();
  const me = useMe();
  const query = app ? { app } : {};
  const release = useReleaseDetail(name, app);
  const facts = useTemplateFacts(release.data);
  const approvals = useQuery({
    queryKey: releaseKey(name, 'approvals', app),
    queryFn: async (): Promise<ApprovalStep[]> =>
      data(await api.GET('/api/v1/releases/{name}/approvals', { params: { path: { name }, query } })),
  });
  const evidence = useQuery({
    queryKey: releaseKey(name, 'evidence', app),
    queryFn: async (): Promise<ReleaseEvidence> =>
      data(await api.GET('/api/v1/releases/{name}/evidence', { params: { path: { name }, query } })),
  });
  const [open, setOpen] = useState<Open>(null);
  const [done, setDone] = useState<string | null>(null);
  const r = release.data;
  const myRoles = me.session.user.roles;
  const written = evidence.data?.reports ?? [];
  const reports = (facts.data?.reports ?? []).filter((d) => r?.type === 'emergency' || written.some((w) => w.report === d.id));
  const finish = (msg: string) => {
    setOpen(null);
    setDone(msg);
  };

  return (
    <Stack gap="lg">
      <section aria-labelledby="approvals-heading">
        <Stack gap="sm">
          <Title order={2} id="approvals-heading">
            Approvals
          </Title>
          <ProblemAlert error={approvals.error} title="The approvals could not be shown" />
          {approvals.isPending && <Text role="status">Loading the approvals…</Text>}
          <div role="status">{done && <Text>{done}</Text>}</div>
          {approvals.data?.map((s) => (
            <ApprovalStepCard
              key={s.step}
              step={s}
              facts={facts.data}
              username={me.session.user.username}
              myRoles={myRoles}
              mayRequest={me.can('release.update')}
              onDecide={(step, decision) => {
                setDone(null);
                setOpen({ kind: 'decide', step, decision });
              }}
              onRequest={(step) => {
                setDone(null);
                setOpen({ kind: 'request', step });
              }}
            />
          ))}
        </Stack>
      </section>
      {r && reports.length > 0 && (
        <section aria-labelledby="reports-heading">
          <Stack gap="sm">
            <Title order={2} id="reports-heading">
              Reports
            </Title>
            <ProblemAlert error={evidence.error} title="The reports could not be shown" />
            {evidence.data &&
              reports.map((d) => (
                <ReportForm
                  key={d.id}
                  name={name}
                  app={app}
                  def={d}
                  report={written.find((w) => w.report === d.id)}
                  release={r}
                  mayWrite={d.roles.some((x) => myRoles.includes(x))}
                />
              ))}
          </Stack>
        </section>
      )}
      {open?.kind === 'decide' && (
        <ApprovalDecideModal
          name={name}
          app={app}
          step={open.step}
          decision={open.decision}
          version={r?.version}
          onClose={() => setOpen(null)}
          onDone={finish}
        />
      )}
      {open?.kind === 'request' && (
        <ApprovalRequestModal name={name} app={app} step={open.step} onClose={() => setOpen(null)} onDone={finish} />
      )}
    </Stack>
  );
}
