import { useQuery } from '@tanstack/react-query';
import { useEffect, useRef, useState } from 'react';
import { api, data } from '../../api/client';
import type { paths } from '../../api/schema';
import { releaseKey } from './queries';

export type Run = paths['/api/v1/releases/{name}/deployments']['get']['responses'][200]['content']['application/json'][number];
export type RunStep = Run['steps'][number];
export type LogLine =
  paths['/api/v1/releases/{name}/deployments/{run}/log']['get']['responses'][200]['content']['application/json']['lines'][number];

/** A run or a log is followed while it is under way. */
export const underWay = (state: string): boolean => state === 'waiting' || state === 'running';

/** How often an open release page looks again at a run under way. */
export const FOLLOW_MS = 1500;
const LOG_PAGE = 1000;

const appQuery = (app: string | undefined) => (app ? { app } : {});

/** The release's runs, newest first; fetched again every moment while one is under way. */
export function useRuns(name: string, app: string | undefined) {
  return useQuery({
    queryKey: releaseKey(name, 'deployments', app),
    queryFn: async (): Promise<Run[]> =>
      data(await api.GET('/api/v1/releases/{name}/deployments', { params: { path: { name }, query: appQuery(app) } }))
        .slice()
        .reverse(),
    refetchInterval: (q) => (q.state.data?.some((r) => underWay(r.state)) ? FOLLOW_MS : false),
  });
}

/**
 * A run's log, read from the start and then followed: the lines after the
 * last one read are asked for every moment while the run is under way, and
 * once more after it ended, until none is left.
 */
export function useRunLog(name: string, app: string | undefined, run: number, state: string) {
  const [lines, setLines] = useState<LogLine[]>([]);
  const [error, setError] = useState<unknown>(null);
  const next = useRef(0);
  const live = underWay(state);

  useEffect(() => {
    let stopped = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const read = async () => {
      try {
        let page;
        do {
          page = data(
            await api.GET('/api/v1/releases/{name}/deployments/{run}/log', {
              params: { path: { name, run }, query: { after: next.current, limit: LOG_PAGE, ...appQuery(app) } },
            }),
          );
          if (stopped) return;
          const got = page.lines;
          if (got.length > 0) {
            next.current = page.next;
            setLines((before) => [...before, ...got]);
          }
        } while (page.lines.length === LOG_PAGE);
        setError(null);
        if (underWay(page.state)) timer = setTimeout(() => void read(), FOLLOW_MS);
      } catch (err) {
        if (stopped) return;
        setError(err);
        timer = setTimeout(() => void read(), FOLLOW_MS * 4);
      }
    };
    void read();
    return () => {
      stopped = true;
      clearTimeout(timer);
    };
    // `live` restarts the reading when the run starts again (a retried step) or ends.
  }, [name, app, run, live]);

  return { lines, error };
}
