import { useQuery, useQueryClient } from '@tanstack/react-query';
import { createContext, useContext, useEffect, type ReactNode } from 'react';
import { Navigate, useLocation, useNavigate } from 'react-router';
import { api, data, onSessionLost, setCsrfToken, signInPath } from './api/client';
import { ProblemError } from './api/problem';
import type { paths } from './api/schema';

export type SessionInfo = paths['/api/v1/session']['get']['responses'][200]['content']['application/json'];
export type Permissions = paths['/api/v1/session/permissions']['get']['responses'][200]['content']['application/json'];
export type AppAction = Permissions['actions'][number];

export const SESSION_KEY = ['session'] as const;

/** The signed-in user, or null when signed out (a 401 is an answer here, not an error). */
export function useSessionQuery() {
  return useQuery({
    queryKey: SESSION_KEY,
    queryFn: async (): Promise<SessionInfo | null> => {
      try {
        const s = data(await api.GET('/api/v1/session'));
        setCsrfToken(s.csrfToken);
        return s;
      } catch (err) {
        if (err instanceof ProblemError && err.status === 401) return null;
        throw err;
      }
    },
    staleTime: 60_000,
  });
}

type Me = { session: SessionInfo; permissions: Permissions | undefined; can: (action: AppAction) => boolean; readOnly: boolean };
const MeContext = createContext<Me | null>(null);

/** The signed-in user of a page inside <RequireSession>. */
export function useMe(): Me {
  const me = useContext(MeContext);
  if (!me) throw new Error('useMe outside RequireSession');
  return me;
}

/** Renders its children for a signed-in user; sends anyone else to sign in, and back here afterwards. */
export function RequireSession({ children }: { children: ReactNode }) {
  const location = useLocation();
  const navigate = useNavigate();
  const qc = useQueryClient();
  const session = useSessionQuery();
  const permissions = useQuery({
    queryKey: ['permissions'],
    enabled: !!session.data,
    queryFn: async () => data(await api.GET('/api/v1/session/permissions', { params: { query: {} } })),
    staleTime: 60_000,
  });

  useEffect(
    () =>
      onSessionLost(() => {
        setCsrfToken(null);
        qc.setQueryData(SESSION_KEY, null);
        void navigate(signInPath(window.location.pathname + window.location.search), { replace: true });
      }),
    [navigate, qc],
  );

  if (session.isPending) return <p role="status">Loading…</p>;
  if (!session.data) return <Navigate to={signInPath(location.pathname + location.search)} replace />;
  const p = permissions.data;
  const me: Me = {
    session: session.data,
    permissions: p,
    can: (action) => !!p && p.actions.includes(action),
    readOnly: !!p && p.actions.length === 0 && !p.admin,
  };
  return <MeContext.Provider value={me}>{children}</MeContext.Provider>;
}
