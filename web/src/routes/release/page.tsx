import { Badge, Button, Group, Stack, Text, Title } from '@mantine/core';
import { lazy, Suspense } from 'react';
import { Link, Route, Routes, useLocation } from 'react-router';
import { ProblemAlert } from '../../components/problem-alert';
import { usePageTitle } from '../../components/page-title';
import { useReleaseDetail, useReleaseRef } from './queries';
import { LiveUpdates } from './live-updates';

const OverviewTab = lazy(() => import('./overview-tab'));
const ItemsTab = lazy(() => import('./items-tab'));
const PackagesTab = lazy(() => import('./packages-tab'));
const TestsTab = lazy(() => import('./tests-tab'));
const ApprovalsTab = lazy(() => import('./approvals-tab'));
const ChecklistTab = lazy(() => import('./checklist-tab'));
const DeploymentsTab = lazy(() => import('./deployments-tab'));
const StepsTab = lazy(() => import('./steps-tab'));
const MailTab = lazy(() => import('./mail-tab'));
const AuditTab = lazy(() => import('./audit-tab'));

/** The release page's sections, each its own address (/releases/CFIS001/packages) and its own chunk. */
export const RELEASE_TABS = [
  { path: '', label: 'Road to production', element: <OverviewTab /> },
  { path: 'items', label: 'Work items', element: <ItemsTab /> },
  { path: 'packages', label: 'Packages', element: <PackagesTab /> },
  { path: 'tests', label: 'Tests and issues', element: <TestsTab /> },
  { path: 'approvals', label: 'Approvals and reports', element: <ApprovalsTab /> },
  { path: 'steps', label: 'Steps and notices', element: <StepsTab /> },
  { path: 'checklist', label: 'Checklist', element: <ChecklistTab /> },
  { path: 'deployments', label: 'Deployments', element: <DeploymentsTab /> },
  { path: 'mail', label: 'E-mails', element: <MailTab /> },
  { path: 'audit', label: 'Audit timeline', element: <AuditTab /> },
] as const;

export default function ReleasePage() {
  const { name, app } = useReleaseRef();
  usePageTitle(name);
  const location = useLocation();
  const release = useReleaseDetail(name, app);
  const base = `/releases/${encodeURIComponent(name)}`;
  const query = app ? `?app=${encodeURIComponent(app)}` : '';
  const current = location.pathname.slice(base.length).replace(/^\//, '').split('/')[0] ?? '';

  if (release.error) return <ProblemAlert error={release.error} title={`Release ${name} could not be shown`} />;
  const r = release.data;
  return (
    <Stack>
      <header>
        <Group gap="sm" align="baseline">
          <Title order={1}>{name}</Title>
          {r && (
            <>
              <Badge variant="light" size="lg" aria-label={`State: ${r.state}`}>
                {r.state}
              </Badge>
              <Badge variant="outline" color="gray.8" aria-label={`Type: ${r.type}`}>
                {r.type}
              </Badge>
            </>
          )}
        </Group>
        {r && (
          <Stack gap={2} mt="xs">
            {r.title && <Text fw={500}>{r.title}</Text>}
            <Text size="sm">
              Planned for <strong>{r.plannedDate}</strong>
              {r.cycle ? (
                <>
                  {' '}
                  in the change cycle of <strong>{r.cycle.date}</strong>
                  {r.cycle.status === 'cancelled' ? ' (cancelled)' : ''}
                </>
              ) : (
                ' (no change cycle)'
              )}
              {' · '}channels {r.channels.join(', ')}
              {' · '}template {r.template.key} v{r.template.version}
              {' · '}owner {r.createdBy}
              {' · '}application {r.application}
            </Text>
          </Stack>
        )}
      </header>
      <LiveUpdates name={name} app={app} />
      <Group component="nav" aria-label="Release sections" gap={4} wrap="wrap">
        {RELEASE_TABS.map((t) => (
          <Button
            key={t.path}
            component={Link}
            to={`${base}${t.path ? `/${t.path}` : ''}${query}`}
            variant={current === t.path ? 'filled' : 'subtle'}
            aria-current={current === t.path ? 'page' : undefined}
            size="compact-md"
          >
            {t.label}
          </Button>
        ))}
      </Group>
      <Suspense fallback={<p role="status">Loading…</p>}>
        <Routes>
          {RELEASE_TABS.map((t) => (
            <Route key={t.path} index={t.path === ''} path={t.path || undefined} element={t.element} />
          ))}
        </Routes>
      </Suspense>
    </Stack>
  );
}
