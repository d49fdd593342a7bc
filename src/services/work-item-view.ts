import type { WorkItemTable } from '../db/schema.js';

export type ElementRef = { type: string; name: string };

export type WorkItemView = {
  key: string;
  number: number;
  application: string;
  kind: string;
  helpdeskRef: string;
  title: string;
  description: string;
  owner: string | null;
  priority: string;
  elements: ElementRef[];
  release: string | null;
  createdBy: string;
  createdAt: string;
  updatedAt: string;
  version: number;
};

export const itemKey = (kind: string, number: number): string => `${kind}-${number}`;

export function toWorkItemView(appKey: string, i: WorkItemTable, releaseName: string | null): WorkItemView {
  return {
    key: itemKey(i.kind, i.number),
    number: i.number,
    application: appKey,
    kind: i.kind,
    helpdeskRef: i.helpdesk_ref,
    title: i.title,
    description: i.description,
    owner: i.owner,
    priority: i.priority,
    elements: JSON.parse(i.elements) as ElementRef[],
    release: releaseName,
    createdBy: i.created_by,
    createdAt: i.created_at,
    updatedAt: i.updated_at,
    version: i.row_version,
  };
}
