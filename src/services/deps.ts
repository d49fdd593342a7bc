import type { Database } from '../db/database.js';
import type { Clock } from './clock.js';
import type { TemplateCache } from './template-cache.js';

/** What every use case needs; each receives only this, never the HTTP layer. */
export interface ServiceDeps {
  readonly database: Database;
  readonly clock: Clock;
  readonly templates: TemplateCache;
}
