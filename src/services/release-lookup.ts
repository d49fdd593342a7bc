import { releaseByName, releasesByNameIgnoringCase } from '../db/repositories/releases.js';
import type { Db, Trx } from '../db/database.js';
import type { ReleaseTable } from '../db/schema.js';
import { ConflictError, NotFoundError } from '../domain/errors.js';
import type { AppContext } from './applications.js';

/**
 * Which release a use case is about: its name (any case) within an
 * application (the default one when `app` is absent). Services take this one
 * reference instead of an `(app, name)` pair.
 */
export type ReleaseRef = { readonly app?: string | undefined; readonly name: string };

/**
 * A release by its name, ignoring case (`cfis002` finds `CFIS002`): the exact
 * name first; otherwise the one release whose name matches in another case.
 * Should two names differ only in case (a pattern changed its letters'
 * case), only the exact name finds either.
 */
export async function findRelease(db: Db | Trx, applicationId: string, name: string): Promise<ReleaseTable | undefined> {
  const exact = await releaseByName(db, applicationId, name);
  if (exact) return exact;
  const similar = await releasesByNameIgnoringCase(db, applicationId, name);
  if (similar.length > 1) {
    throw new ConflictError(
      `"${name}" matches several releases in another case (${similar.map((r) => r.name).join(', ')}); give the name exactly`,
      'ambiguous-release-name',
    );
  }
  return similar[0];
}

export async function loadRelease(db: Db | Trx, ctx: AppContext, name: string): Promise<ReleaseTable> {
  const r = await findRelease(db, ctx.app.id, name);
  if (!r) throw new NotFoundError('release', name);
  return r;
}
