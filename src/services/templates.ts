import { createHash, randomUUID } from 'node:crypto';
import { applicationNamingParams, listApplications } from '../db/repositories/applications.js';
import {
  insertTemplateVersion,
  latestTemplateVersion,
  listTemplateKeys,
  listTemplateVersions,
  templateChangeRecords,
  templateContent,
  templateSectionsChanged,
  templateVersionByNumber,
} from '../db/repositories/templates.js';
import type { Db, Trx } from '../db/database.js';
import type { TemplateVersionTable } from '../db/schema.js';
import { ConflictError, NotFoundError, TemplateInvalidError, type FieldProblem } from '../domain/errors.js';
import { checkNaming } from '../domain/naming.js';
import { parseTemplateYaml } from '../domain/template/parse.js';
import type { ProcessTemplate } from '../domain/template/schema.js';
import { contactsNotice, revisionProblems } from '../domain/template/revision.js';
import { changedSections } from '../domain/template/sections.js';
import type { TemplateAuditView } from '../domain/audit/access.js';
import type { Actor } from './actor.js';
import { requireAdmin } from './authorize.js';
import type { ServiceDeps } from './deps.js';
import { write } from './write.js';

/** A template version's document-control record, as listed and as audited. */
export type TemplateVersionSummary = TemplateAuditView;

export type TemplateVersionView = TemplateVersionSummary & { template: ProcessTemplate; yaml: string };

export function summarize(row: TemplateVersionTable): TemplateVersionSummary {
  return {
    key: row.template_key,
    version: row.version,
    name: row.name,
    sha256: row.sha256,
    changes: row.changes,
    sectionsChanged: templateSectionsChanged.decode(row.sections_changed),
    preparedBy: row.prepared_by,
    reviewedBy: row.reviewed_by,
    publishedBy: row.published_by,
    publishedAt: row.published_at,
  };
}

function view(deps: ServiceDeps, row: TemplateVersionTable): TemplateVersionView {
  return { ...summarize(row), template: deps.templates.fromRow(row), yaml: row.source_yaml };
}

export type PublishInput = {
  yaml: string;
  changes?: string | undefined;
  preparedBy?: string | undefined;
  reviewedBy?: string | undefined;
  /** Validate and report what would be published, without writing. */
  dryRun?: boolean | undefined;
};

/** `notices`: what the publisher should know, e.g. that edited contacts only seed new applications. */
export type PublishResult = TemplateVersionSummary & { dryRun: boolean; notices: string[] };

/** Checks that applications already running under this template key stay valid. */
async function compatibilityProblems(db: Db | Trx, template: ProcessTemplate): Promise<FieldProblem[]> {
  const problems: FieldProblem[] = [];
  for (const app of await listApplications(db)) {
    if (app.template_key !== template.key) continue;
    const params = applicationNamingParams.decode(app.naming_params);
    for (const p of checkNaming(template.naming, params)) {
      problems.push({ path: p.path, message: `application "${app.key}" (naming parameters ${JSON.stringify(params)}): ${p.message}` });
    }
  }
  return problems;
}

/**
 * Publishes a new immutable version. A template with problems is refused with
 * every problem listed, and the version in force stays in force. A version
 * after the first needs its own document-control record (what it changes,
 * prepared by, reviewed by); the sections it changed are computed.
 */
export async function publishTemplate(deps: ServiceDeps, actor: Actor, input: PublishInput): Promise<PublishResult> {
  requireAdmin(actor, 'template.publish');
  const parsed = parseTemplateYaml(input.yaml);
  if (!parsed.ok) throw new TemplateInvalidError(parsed.problems);
  const template = parsed.template;
  // This version's document-control record: the request's fields, else the YAML's `revision:` block.
  const record = {
    changes: (input.changes ?? template.revision?.changes ?? '').trim(),
    preparedBy: (input.preparedBy ?? template.revision?.preparedBy ?? '').trim() || null,
    reviewedBy: (input.reviewedBy ?? template.revision?.reviewedBy ?? '').trim() || null,
  };
  const sha256 = createHash('sha256').update(input.yaml).digest('hex');

  const prepare = async (db: Db | Trx): Promise<{ row: TemplateVersionTable; notices: string[] }> => {
    const latest = await latestTemplateVersion(db, template.key);
    if (latest && latest.sha256 === sha256) {
      throw new ConflictError(`this template is identical to version ${latest.version} of "${template.key}"`, 'template-unchanged');
    }
    const problems = [
      ...(await compatibilityProblems(db, template)),
      ...revisionProblems(record, await templateChangeRecords(db, template.key)),
    ];
    if (problems.length > 0) throw new TemplateInvalidError(problems);
    const sections = changedSections(latest ? deps.templates.fromRow(latest) : null, template);
    const running = (await listApplications(db)).filter((a) => a.template_key === template.key).map((a) => a.key);
    const row: TemplateVersionTable = {
      id: randomUUID(),
      template_key: template.key,
      version: (latest?.version ?? 0) + 1,
      name: template.name,
      source_yaml: input.yaml,
      content_json: templateContent.encode(template),
      sha256,
      changes: record.changes === '' ? 'Initial version' : record.changes,
      sections_changed: templateSectionsChanged.encode(sections),
      prepared_by: record.preparedBy,
      reviewed_by: record.reviewedBy,
      published_by: actor.username,
      published_at: deps.clock().toISOString(),
    };
    return { row, notices: latest ? contactsNotice(sections, running) : [] };
  };

  if (input.dryRun) {
    const { row, notices } = await prepare(deps.database.kysely);
    return { ...summarize(row), dryRun: true, notices };
  }

  return write(deps, actor, async (tx) => {
    const { db, onCommit } = tx;
    const { row, notices } = await prepare(db);
    await insertTemplateVersion(db, row);
    onCommit(() => deps.caches.apps.clear());
    const summary = summarize(row);
    return tx.audit(
      { action: 'template.publish', subjectType: 'template', subjectId: `${row.template_key}@${row.version}`, after: summary },
      { ...summary, dryRun: false, notices },
    );
  });
}

/** What validating a template without publishing it says: it is valid, and which sections differ from the version in force. */
export type TemplateValidation = { ok: true; key: string; inForce: number | null; sectionsChanged: string[] };

/**
 * Checks a template as publishing would (the document, and the applications
 * already running under its key) without writing anything; its document-control
 * record is left to the publish itself. Refused with every problem listed.
 */
export async function validateTemplate(deps: ServiceDeps, actor: Actor, yaml: string): Promise<TemplateValidation> {
  requireAdmin(actor, 'template.publish');
  const parsed = parseTemplateYaml(yaml);
  if (!parsed.ok) throw new TemplateInvalidError(parsed.problems);
  const db = deps.database.kysely;
  const problems = await compatibilityProblems(db, parsed.template);
  if (problems.length > 0) throw new TemplateInvalidError(problems);
  const latest = await latestTemplateVersion(db, parsed.template.key);
  return {
    ok: true,
    key: parsed.template.key,
    inForce: latest?.version ?? null,
    sectionsChanged: changedSections(latest ? deps.templates.fromRow(latest) : null, parsed.template),
  };
}

export async function templateInForce(deps: ServiceDeps, key: string, version?: number): Promise<TemplateVersionView> {
  const db = deps.database.kysely;
  const row = version === undefined ? await latestTemplateVersion(db, key) : await templateVersionByNumber(db, key, version);
  if (!row) throw new NotFoundError('template', version === undefined ? key : `${key}@${version}`);
  return view(deps, row);
}

export async function templateHistory(deps: ServiceDeps, key: string): Promise<TemplateVersionSummary[]> {
  const rows = await listTemplateVersions(deps.database.kysely, key);
  if (rows.length === 0) throw new NotFoundError('template', key);
  return rows.map(summarize);
}

export async function listTemplates(deps: ServiceDeps): Promise<TemplateVersionSummary[]> {
  const db = deps.database.kysely;
  const out: TemplateVersionSummary[] = [];
  for (const key of await listTemplateKeys(db)) {
    const row = await latestTemplateVersion(db, key);
    if (row) out.push(summarize(row));
  }
  return out;
}

/** Every role id declared by the version in force of any template. */
export async function knownRoles(deps: ServiceDeps): Promise<Map<string, string>> {
  const db = deps.database.kysely;
  const roles = new Map<string, string>();
  for (const key of await listTemplateKeys(db)) {
    const row = await latestTemplateVersion(db, key);
    if (!row) continue;
    for (const r of deps.templates.fromRow(row).roles) roles.set(r.id, r.name);
  }
  return roles;
}
