import { randomUUID } from 'node:crypto';
import {
  applicationByKey,
  applicationNamingParams,
  clearDefaultApplication,
  insertApplication,
  listApplications,
} from '../db/repositories/applications.js';
import { createCounter } from '../db/repositories/counters.js';
import { latestTemplateVersion, latestTemplateVersionRef, type TemplateVersionRef } from '../db/repositories/templates.js';
import type { Db, Trx } from '../db/database.js';
import type { ApplicationTable } from '../db/schema.js';
import { ConflictError, NotFoundError, ValidationError } from '../domain/errors.js';
import { checkNaming, compileNaming } from '../domain/naming.js';
import type { ProcessTemplate } from '../domain/template/schema.js';
import type { Actor } from './actor.js';
import { requireAdmin } from './authorize.js';
import type { ServiceDeps } from './deps.js';
import { seedContacts } from './contacts/seed.js';
import { write } from './write.js';

export type ApplicationView = {
  key: string;
  name: string;
  template: { key: string; version: number };
  namingParameters: Record<string, string>;
  nextReleaseNameExample: string;
  isDefault: boolean;
  createdAt: string;
};

export const releaseCounter = (appId: string): string => `release:${appId}`;
export const itemCounter = (appId: string): string => `item:${appId}`;
/** Each work-item kind of an application is numbered on its own (IR-1, SMCR-1). */
export const itemKindCounter = (appId: string, kind: string): string => `item:${appId}:${kind}`;

export type AppContext = { app: ApplicationTable; templateRow: TemplateVersionRef; template: ProcessTemplate };

/**
 * For reads: the same as resolveApplication, through a cache that may lag
 * another process's new application or template version by a few seconds.
 * Writes always resolve inside their own transaction.
 */
export async function resolveApplicationForRead(deps: ServiceDeps, key?: string): Promise<AppContext> {
  const cacheKey = key ?? '';
  const hit = deps.caches.apps.get(cacheKey);
  if (hit) return hit;
  const ctx = await resolveApplication(deps, deps.database.kysely, key);
  deps.caches.apps.set(cacheKey, ctx);
  return ctx;
}

/** The application a request is about, and the template version in force for it. */
export async function resolveApplication(deps: ServiceDeps, db: Db | Trx, key?: string): Promise<AppContext> {
  let app: ApplicationTable | undefined;
  if (key !== undefined) {
    app = await applicationByKey(db, key);
    if (!app) throw new NotFoundError('application', key);
  } else {
    const all = await listApplications(db);
    app = all.length === 1 ? all[0] : all.find((a) => a.is_default === 1);
    if (!app) {
      throw new ValidationError('several applications exist and none is the default; name one', [
        { path: 'app', message: `one of: ${all.map((a) => a.key).join(', ')}` },
      ]);
    }
  }
  const templateRow = await latestTemplateVersionRef(db, app.template_key);
  if (!templateRow) throw new NotFoundError('template', app.template_key);
  return { app, templateRow, template: await deps.templates.byId(db, templateRow.id) };
}

function toView(ctx: AppContext): ApplicationView {
  const params = applicationNamingParams.decode(ctx.app.naming_params);
  let example: string;
  try {
    example = compileNaming(ctx.template.naming, params).format(1);
  } catch {
    // A template whose naming no longer fits this application's parameters.
    example = '';
  }
  return {
    key: ctx.app.key,
    name: ctx.app.name,
    template: { key: ctx.templateRow.template_key, version: ctx.templateRow.version },
    namingParameters: params,
    nextReleaseNameExample: example,
    isDefault: ctx.app.is_default === 1,
    createdAt: ctx.app.created_at,
  };
}

export async function listApplicationViews(deps: ServiceDeps): Promise<ApplicationView[]> {
  const db = deps.database.kysely;
  const out: ApplicationView[] = [];
  for (const app of await listApplications(db)) out.push(toView(await resolveApplication(deps, db, app.key)));
  return out;
}

export async function getApplication(deps: ServiceDeps, key?: string): Promise<ApplicationView> {
  return toView(await resolveApplication(deps, deps.database.kysely, key));
}

export type CreateApplicationInput = {
  key: string;
  name: string;
  templateKey: string;
  namingParameters?: Record<string, string> | undefined;
  isDefault?: boolean | undefined;
};

export async function createApplication(deps: ServiceDeps, actor: Actor, input: CreateApplicationInput): Promise<ApplicationView> {
  requireAdmin(actor, 'application.create');
  return write(deps, actor, async (tx) => {
    const { db, onCommit } = tx;
    const templateRow = await latestTemplateVersion(db, input.templateKey);
    if (!templateRow) {
      throw new ValidationError('unknown template', [
        { path: 'templateKey', message: `no template "${input.templateKey}" has been published` },
      ]);
    }
    const template = deps.templates.fromRow(templateRow);
    const params = { ...(template.naming.defaults ?? {}), ...(input.namingParameters ?? {}) };
    const problems = checkNaming(template.naming, params);
    if (problems.length > 0) {
      throw new ValidationError(
        'the naming parameters do not fit the template',
        problems.map((p) => ({ path: `namingParameters${p.path.replace(/^naming/, '')}`, message: p.message })),
      );
    }
    if (await applicationByKey(db, input.key)) throw new ConflictError(`application "${input.key}" already exists`);
    const existing = await listApplications(db);
    const row: ApplicationTable = {
      id: randomUUID(),
      key: input.key,
      name: input.name,
      template_key: input.templateKey,
      naming_params: applicationNamingParams.encode(params),
      is_default: input.isDefault === true || existing.length === 0 ? 1 : 0,
      created_at: deps.clock().toISOString(),
    };
    if (row.is_default === 1) await clearDefaultApplication(db);
    await insertApplication(db, row);
    onCommit(() => deps.caches.apps.clear());
    await createCounter(db, releaseCounter(row.id));
    await createCounter(db, itemCounter(row.id));
    await seedContacts(db, deps, row.id, template);
    const v = toView({ app: row, templateRow, template });
    return tx.audit({ action: 'application.create', subjectType: 'application', subjectId: row.key, after: v }, v);
  });
}
