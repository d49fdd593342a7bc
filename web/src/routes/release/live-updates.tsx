import { CloseButton, Group, Paper, Text } from '@mantine/core';
import { useIsMutating, useQueryClient } from '@tanstack/react-query';
import { useEffect, useRef, useState } from 'react';
import { useMe } from '../../session';
import { describeChange, useReleaseChanges, type LastChange } from './live-changes';
import { releaseKey } from './queries';

const POLL_MS = 3000;
/** How long after a write of this tab a new version is taken to be that write's. */
const OWN_WRITE_WINDOW_MS = 15_000;

/**
 * Keeps an open release page current: polls the release's version every few
 * seconds while the tab is visible and, when someone else changed it, fetches
 * everything shown again and says who changed what.
 */
export function LiveUpdates({ name, app }: { name: string; app: string | undefined }) {
  const qc = useQueryClient();
  const me = useMe();
  const changes = useReleaseChanges(name, app, POLL_MS);
  const writing = useIsMutating();
  const writingNow = useRef(0);
  writingNow.current = writing;
  const ownWriteAt = useRef(0);
  const seen = useRef<number | null>(null);
  const [notice, setNotice] = useState<LastChange | null>(null);

  useEffect(
    () =>
      qc.getMutationCache().subscribe((e) => {
        if (e.type === 'updated' && (e.action.type === 'success' || e.action.type === 'pending')) ownWriteAt.current = Date.now();
      }),
    [qc],
  );

  // A write of this tab that is no mutation (an upload) refreshes the release through an invalidation, never the poll.
  useEffect(
    () =>
      qc.getQueryCache().subscribe((e) => {
        const k = e.query.queryKey as readonly unknown[];
        if (e.type === 'updated' && e.action.type === 'invalidate' && k[0] === 'release' && k[1] === name && k[2] === 'changes')
          ownWriteAt.current = Date.now();
      }),
    [qc, name],
  );

  useEffect(() => {
    seen.current = null;
    setNotice(null);
  }, [name, app]);

  const d = changes.data;
  useEffect(() => {
    if (!d) return;
    if (seen.current === null || d.version === seen.current) {
      seen.current = d.version;
      return;
    }
    seen.current = d.version;
    const byMe = d.lastChange?.actor === me.session.user.username;
    const recentOwnWrite = writingNow.current > 0 || Date.now() - ownWriteAt.current < OWN_WRITE_WINDOW_MS;
    if (byMe && recentOwnWrite) {
      ownWriteAt.current = 0;
      return;
    }
    void qc.invalidateQueries({ queryKey: releaseKey(name), predicate: (q) => q.queryKey[2] !== 'changes' });
    setNotice(d.lastChange);
  }, [d, me.session.user.username, name, qc]);

  return (
    <div role="status" aria-live="polite">
      {notice && (
        <Paper withBorder p="xs" bg="blue.0">
          <Group justify="space-between" wrap="nowrap">
            <Text size="sm">Changed by {describeChange(notice)}. The page shows the release as it is now.</Text>
            <CloseButton aria-label="Dismiss the change notice" onClick={() => setNotice(null)} />
          </Group>
        </Paper>
      )}
    </div>
  );
}
