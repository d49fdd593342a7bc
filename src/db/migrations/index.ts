import type { Migration } from 'kysely';
import { initial } from './0001-initial.js';
import { lifecycle } from './0002-lifecycle.js';
import { packageFiles } from './0003-package-files.js';
import { coordination } from './0004-coordination.js';
import { checklistWaivers } from './0005-checklist-waivers.js';
import { deliveryEvidence } from './0006-delivery-evidence.js';
import { loginSecurity } from './0007-login-security.js';
import { itemNumbersPerKind } from './0008-item-numbers-per-kind.js';
import { deploymentTargets } from './0009-deployment-targets.js';
import { deploymentRuns } from './0010-deployment-runs.js';

/** Migrations in order; the key is the name recorded in the migration table. */
export const migrations: Record<string, Migration> = {
  '0001-initial': initial,
  '0002-lifecycle': lifecycle,
  '0003-package-files': packageFiles,
  '0004-coordination': coordination,
  '0005-checklist-waivers': checklistWaivers,
  '0006-delivery-evidence': deliveryEvidence,
  '0007-login-security': loginSecurity,
  '0008-item-numbers-per-kind': itemNumbersPerKind,
  '0009-deployment-targets': deploymentTargets,
  '0010-deployment-runs': deploymentRuns,
};
