import { Alert } from '@mantine/core';
import { useQueryClient } from '@tanstack/react-query';
import { useEffect } from 'react';
import { ProblemError } from '../../api/problem';
import { ProblemAlert } from '../../components/problem-alert';
import { describeChange, useReleaseChanges } from './live-changes';
import { releaseKey } from './queries';

/** A write refused because the release changed since the page read it (409 stale-version). */
export function isStaleVersion(err: unknown): err is ProblemError {
  if (!(err instanceof ProblemError) || err.status !== 409) return false;
  return (err.problem.type ?? '').endsWith('stale-version') || err.problem.code === 'stale-version';
}

/**
 * A write's problem. When someone else changed the release first, says who and
 * what, and shows the release as it is now: the write is never repeated on
 * its own, so nothing anyone decided is silently overwritten.
 */
export function WriteProblem({ error, title, name, app }: { error: unknown; title: string; name: string; app: string | undefined }) {
  if (isStaleVersion(error)) return <StaleVersionAlert error={error} name={name} app={app} />;
  return <ProblemAlert error={error} title={title} />;
}

function StaleVersionAlert({ error, name, app }: { error: ProblemError; name: string; app: string | undefined }) {
  const qc = useQueryClient();
  const changes = useReleaseChanges(name, app);
  useEffect(() => {
    void qc.invalidateQueries({ queryKey: releaseKey(name) });
  }, [error, name, qc]);
  const current = Number(error.problem.currentVersion ?? 0);
  const c = changes.data;
  const last = c && c.version >= current ? c.lastChange : null;
  return (
    <Alert color="red" variant="light" role="alert" title="Someone else changed this release first">
      {last ? `Changed by ${describeChange(last)}.` : 'Finding out who changed it…'} Nothing was saved: the page now shows the release as it
      is, check it and try again.
    </Alert>
  );
}
