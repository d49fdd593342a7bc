import type { Database } from '../db/database.js';
import type { SecretBox } from '../integrations/secrets/secret-box.js';
import type { LoginThrottlePolicy } from '../domain/login-throttle.js';
import type { Clock } from './clock.js';
import type { Actor } from './actor.js';
import type { AppContext } from './applications.js';
import type { ReleaseDetailView } from './releases.js';
import type { TtlCache } from './read-cache.js';
import type { TemplateCache } from './template-cache.js';

/** Short-lived caches of hot reads; see read-cache.ts for what staleness they allow. */
export interface ReadCaches {
  /** By token hash: who the token acts as and when it expires. */
  readonly tokens: TtlCache<{ actor: Omit<Actor, 'requestId'>; expiresAt: string | null }>;
  /** By application key ('' for the default): the application and the template in force. */
  readonly apps: TtlCache<AppContext>;
  /** By application key and release name: the release with its items. Cleared by every commit of this process. */
  readonly releases: TtlCache<ReleaseDetailView>;
}

/** What every use case needs; each receives only this, never the HTTP layer. */
export interface ServiceDeps {
  readonly database: Database;
  readonly clock: Clock;
  readonly templates: TemplateCache;
  readonly caches: ReadCaches;
  /** Base URL of the server as people reach it, for links in mails; http://127.0.0.1:8080 when absent. */
  readonly publicUrl?: string | undefined;
  /** Sign-in throttling; DEFAULT_LOGIN_THROTTLE when absent. */
  readonly loginThrottle?: LoginThrottlePolicy | undefined;
  /** Seals and opens stored secrets (RELMAN_SECRET_KEY); null when no key is configured: no secret can be stored. */
  readonly secrets: SecretBox | null;
}
