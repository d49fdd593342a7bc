import type { Readable } from 'node:stream';
import { checklistOf, taskEvidence, updateTaskVersioned } from '../../db/repositories/checklist.js';
import { NotFoundError, StaleVersionError, ValidationError } from '../../domain/errors.js';
import { hashArtifact, type ArtifactStore } from '../../integrations/storage/artifact-store.js';
import type { Actor } from '../actor.js';
import { resolveApplication, resolveApplicationForRead } from '../applications.js';
import type { ServiceDeps } from '../deps.js';
import { lockedReleaseWrite } from '../lifecycle/release-lock.js';
import { CorruptArtifactError } from '../packages/read.js';
import type { ReleaseRef } from '../release-lookup.js';
import { loadRelease } from '../releases.js';
import { requireTaskRights } from './tasks.js';
import { taskViews, type ChecklistEvidence, type ChecklistTaskView } from './view.js';

/** 100 MiB: a screenshot, a PDF, a log; not a package. */
export const MAX_EVIDENCE_BYTES = 100 * 1024 ** 2;

/** A plain file name: no path separators, no control characters. */
const isFileName = (n: string): boolean =>
  n.length >= 1 && n.length <= 255 && !/[/\\]/.test(n) && ![...n].some((c) => c.charCodeAt(0) < 32) && n !== '.' && n !== '..';

/**
 * Stores a file as a task's evidence (a screenshot, a signed form …): the
 * bytes are staged in the artifact store, then made visible under their hash
 * inside the transaction that records `{fileName, sha256, size}` on the task.
 * A later file replaces the earlier one on the task; the audit keeps both.
 */
export async function attachEvidenceFile(
  deps: ServiceDeps,
  store: ArtifactStore,
  actor: Actor,
  ref: ReleaseRef,
  input: { task: string; fileName: string; body: AsyncIterable<Uint8Array>; maxBytes?: number | undefined },
): Promise<ChecklistTaskView> {
  const { name } = ref;
  const { task } = input;
  // Everything that can be refused before a byte is read.
  const db = deps.database.kysely;
  const ctx = await resolveApplication(deps, db, ref.app);
  const r = await loadRelease(db, ctx, name);
  const t = await deps.templates.byId(db, r.template_version_id);
  const row = (await checklistOf(db, r.id)).find((x) => x.task_id === task);
  if (!row) throw new NotFoundError('checklist task', `${name}/${task}`);
  requireTaskRights(t, actor, row);
  if (!isFileName(input.fileName))
    throw new ValidationError('the file cannot be attached', [
      { path: 'fileName', message: 'a plain file name, 1-255 characters, no path' },
    ]);

  const staged = await store.stage(input.body, { maxBytes: Math.min(input.maxBytes ?? MAX_EVIDENCE_BYTES, MAX_EVIDENCE_BYTES) });
  try {
    if (staged.size === 0) throw new ValidationError('the file is empty', [{ path: 'file', message: 'empty: 0 bytes' }]);
    let promoted: Promise<void> | undefined;
    const promote = () => (promoted ??= store.promote(staged)); // once, even if the transaction is retried
    // Evidence of a task may arrive after the release closed, like its late completion.
    return await lockedReleaseWrite(deps, actor, ref, { allowTerminal: true }, async (l) => {
      const current = (await checklistOf(l.db, l.release.id)).find((x) => x.task_id === task);
      if (!current) throw new NotFoundError('checklist task', `${name}/${task}`);
      requireTaskRights(l.template, actor, current);
      const recorded = taskEvidence.decode(current.evidence);
      const before: ChecklistEvidence = recorded ?? {};
      const evidence: ChecklistEvidence = { ...before, fileName: input.fileName, sha256: staged.sha256, size: staged.size };
      // Renamed into place before the commit: a crash in between leaves an unrecorded copy, never a record without its file.
      await promote();
      const encoded = taskEvidence.encode(evidence);
      if (!(await updateTaskVersioned(l.db, current.id, current.row_version, { evidence: encoded }))) {
        throw new StaleVersionError('checklist task', `${name}/${task}`, current.row_version, current.row_version + 1);
      }
      const now = deps.clock();
      const [view] = await taskViews(
        l.db,
        l.template,
        l.ctx.app.id,
        l.release.name,
        [{ ...current, evidence: encoded, row_version: current.row_version + 1 }],
        now,
      );
      if (!view) throw new Error('unreachable: a task view is missing');
      return l.tx.audit(
        {
          action: 'checklist.evidence',
          subjectType: 'release',
          subjectId: l.subject,
          before: { task, evidence: recorded === null ? null : before },
          after: { task, evidence },
        },
        view,
      );
    });
  } finally {
    // After a promotion the staging file is gone already; otherwise nothing keeps it.
    await store.discard(staged);
  }
}

/** Opens a task's evidence file for download, after checking it still has the checksum it was stored with. */
export async function openEvidenceFile(
  deps: ServiceDeps,
  store: ArtifactStore,
  ref: ReleaseRef,
  file: { task: string; fileName: string },
): Promise<{ stream: Readable; sha256: string; size: number; fileName: string }> {
  const { name } = ref;
  const { task, fileName } = file;
  const db = deps.database.kysely;
  const ctx = await resolveApplicationForRead(deps, ref.app);
  const r = await loadRelease(db, ctx, name);
  const row = (await checklistOf(db, r.id)).find((x) => x.task_id === task);
  if (!row) throw new NotFoundError('checklist task', `${name}/${task}`);
  const evidence: ChecklistEvidence = taskEvidence.decode(row.evidence) ?? {};
  if (evidence.sha256 === undefined || evidence.fileName !== fileName)
    throw new NotFoundError('evidence file', `${name}/${task}/${fileName}`);
  const actual = await hashArtifact(store, evidence.sha256).catch(() => 'missing');
  if (actual !== evidence.sha256) {
    throw new CorruptArtifactError(`the evidence file ${fileName} of ${name}/${task} is ${actual === 'missing' ? 'missing' : 'corrupt'}`);
  }
  return { stream: store.open(evidence.sha256), sha256: evidence.sha256, size: evidence.size ?? 0, fileName };
}
