import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { listApplications } from '../db/repositories/applications.js';
import { countTemplateVersions, templateVersionByNumber } from '../db/repositories/templates.js';
import { countUsers } from '../db/repositories/users.js';
import { migrateToLatest } from '../db/migrator.js';
import { ValidationError } from '../domain/errors.js';
import { SYSTEM_ACTOR } from './actor.js';
import { createApplication } from './applications.js';
import type { ServiceDeps } from './deps.js';
import { publishTemplate } from './templates.js';
import { addUser } from './users.js';

export type BootstrapOptions = {
  templateFile: string;
  /** Password for the first administrator; generated when absent. */
  adminPassword?: string | undefined;
};

export type BootstrapReport = {
  migrations: string[];
  templatePublished: string | null;
  applicationCreated: string | null;
  /** Set only when this run created the first administrator. */
  admin: { username: string; password: string; generated: boolean } | null;
};

/**
 * Makes a database usable: schema up to date, the default template published,
 * the default application and a first administrator created. Each step runs
 * only when its part is missing, so running it again changes nothing.
 */
export async function bootstrap(deps: ServiceDeps, options: BootstrapOptions): Promise<BootstrapReport> {
  const db = deps.database.kysely;
  const report: BootstrapReport = { migrations: await migrateToLatest(db), templatePublished: null, applicationCreated: null, admin: null };
  if ((await countTemplateVersions(db)) === 0) {
    const yaml = await readFile(options.templateFile, 'utf8');
    const published = await publishTemplate(deps, SYSTEM_ACTOR, { yaml });
    report.templatePublished = `${published.key}@${published.version}`;
    const row = await templateVersionByNumber(db, published.key, published.version);
    if (!row) throw new Error(`template ${report.templatePublished} is missing right after it was published`);
    const template = deps.templates.fromRow(row);
    if ((await listApplications(db)).length === 0) {
      const app = template.defaultApplication ?? { key: template.key, name: template.name };
      await createApplication(deps, SYSTEM_ACTOR, {
        key: app.key,
        name: app.name,
        templateKey: template.key,
        namingParameters: template.naming.defaults,
        isDefault: true,
      });
      report.applicationCreated = app.key;
    }
  }
  if ((await countUsers(db)) === 0) {
    const generated = options.adminPassword === undefined;
    const password = options.adminPassword ?? randomBytes(12).toString('base64url');
    try {
      await addUser(deps, SYSTEM_ACTOR, { username: 'admin', displayName: 'Administrator', password, roles: ['admin'] });
    } catch (err) {
      if (!(err instanceof ValidationError) || generated) throw err;
      throw new ValidationError(
        'RELMAN_ADMIN_PASSWORD is refused by the password policy; choose another',
        err.problems.map((p) => ({ ...p, path: 'RELMAN_ADMIN_PASSWORD' })),
      );
    }
    report.admin = { username: 'admin', password, generated };
  }
  return report;
}
