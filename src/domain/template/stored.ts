import { APP_ACTIONS } from '../permissions.js';
import { processTemplateSchema, type ProcessTemplate } from './schema.js';

/**
 * A published template version as stored (its parsed JSON), read back through
 * the schema, so that a version published by an earlier relman gets the
 * defaults of fields added since (a checklist task's `requiredBefore`, an
 * approval's `notifyOnRequest` …). An application action the version does not
 * mention is granted to no role. The stored JSON itself is never rewritten:
 * published versions are immutable.
 */
export function readStoredTemplate(json: string): ProcessTemplate {
  const raw = JSON.parse(json) as Record<string, unknown>;
  const declared = typeof raw['permissions'] === 'object' && raw['permissions'] !== null ? raw['permissions'] : {};
  const permissions = { ...Object.fromEntries(APP_ACTIONS.map((a) => [a, []])), ...declared };
  return processTemplateSchema.parse({ ...raw, permissions });
}
