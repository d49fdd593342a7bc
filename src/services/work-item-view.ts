import { workItemElements } from '../db/repositories/work-items.js';
import type { WorkItemTable } from '../db/schema.js';
import type { WorkItemAuditView } from '../domain/audit/releases.js';
import type { TestAttemptAuditView } from '../domain/audit/lifecycle.js';

export type ElementRef = { type: string; name: string };

/** A work item as its view shows it, and as its audit events record it. */
export type WorkItemView = WorkItemAuditView;

/** One test attempt of an item (P8), in whichever release it was recorded. */
export type ItemTestView = { release: string } & Omit<TestAttemptAuditView, 'id' | 'item'>;

/** An item as `item show` presents it: its fields and its test history across releases (P4). */
export type WorkItemDetail = WorkItemView & { tests: ItemTestView[] };

export const itemKey = (kind: string, number: number): string => `${kind}-${number}`;

/** An item's key: its kind and its number within that kind (`IR-12`). */
export const keyOfItem = (i: Pick<WorkItemTable, 'kind' | 'kind_number'>): string => itemKey(i.kind, i.kind_number);

export function toWorkItemView(appKey: string, i: WorkItemTable, releaseName: string | null): WorkItemView {
  return {
    key: keyOfItem(i),
    number: i.kind_number,
    application: appKey,
    kind: i.kind,
    helpdeskRef: i.helpdesk_ref,
    title: i.title,
    description: i.description,
    owner: i.owner,
    priority: i.priority,
    elements: workItemElements.decode(i.elements),
    release: releaseName,
    createdBy: i.created_by,
    createdAt: i.created_at,
    updatedAt: i.updated_at,
    version: i.row_version,
  };
}
