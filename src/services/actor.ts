/** Who is acting, as established by authentication (or the local CLI). */
export interface Actor {
  readonly userId: string | null;
  readonly username: string;
  readonly roles: readonly string[];
  readonly requestId?: string | undefined;
}

export const SYSTEM_ACTOR: Actor = { userId: null, username: 'system', roles: ['admin'] };

/** Local admin commands act on the database directly, as the OS user running them. */
export function localActor(osUser: string): Actor {
  return { userId: null, username: `local:${osUser}`, roles: ['admin'] };
}
