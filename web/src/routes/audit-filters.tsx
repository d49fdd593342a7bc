import { Button, Group, TextInput } from '@mantine/core';
import type { FormEvent } from 'react';
import { formText } from '../components/form-value';

export const AUDIT_FILTERS = ['subjectType', 'subjectId', 'actor', 'action', 'from', 'until'] as const;
export type AuditFilterKey = (typeof AUDIT_FILTERS)[number];
export type AuditFilterValues = Record<AuditFilterKey, string>;

const LABELS: Record<AuditFilterKey, string> = {
  subjectType: 'Subject type',
  subjectId: 'Subject id',
  actor: 'Actor',
  action: 'Action',
  from: 'From (date)',
  until: 'Until (date, inclusive)',
};
const HINTS: Partial<Record<AuditFilterKey, string>> = {
  subjectType: 'release, item, user, mail …',
  subjectId: 'e.g. CFIS002 or IR-12',
  action: 'e.g. release.transition',
};

/** The filters as the API takes them: `until` is inclusive here, `to` is exclusive there. */
export function auditQuery(v: AuditFilterValues) {
  const nextDay = (d: string) => {
    const t = new Date(`${d}T00:00:00Z`);
    if (Number.isNaN(t.getTime())) return d;
    t.setUTCDate(t.getUTCDate() + 1);
    return t.toISOString().slice(0, 10);
  };
  return {
    ...(v.subjectType ? { subjectType: v.subjectType } : {}),
    ...(v.subjectId ? { subjectId: v.subjectId } : {}),
    ...(v.actor ? { actor: v.actor } : {}),
    ...(v.action ? { action: v.action } : {}),
    ...(v.from ? { from: v.from } : {}),
    ...(v.until ? { to: nextDay(v.until) } : {}),
  };
}

/** Where the browser downloads the filtered events as CSV. */
export function auditCsvUrl(v: AuditFilterValues): string {
  const q = new URLSearchParams(auditQuery(v)).toString();
  return `/api/v1/audit.csv${q ? `?${q}` : ''}`;
}

export function AuditFilterForm({
  values,
  apply,
  clear,
}: {
  values: AuditFilterValues;
  apply: (v: AuditFilterValues) => void;
  clear: () => void;
}) {
  const submit = (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const fd = new FormData(e.currentTarget);
    apply(Object.fromEntries(AUDIT_FILTERS.map((k) => [k, formText(fd, k).trim()])) as AuditFilterValues);
  };
  // Keyed by the filters in the address, so going back or clearing shows them.
  return (
    <form onSubmit={submit} key={JSON.stringify(values)} aria-label="Filter the audit events">
      <Group align="flex-end" wrap="wrap">
        {AUDIT_FILTERS.map((k) => (
          <TextInput
            key={k}
            name={k}
            label={LABELS[k]}
            placeholder={HINTS[k]}
            defaultValue={values[k]}
            type={k === 'from' || k === 'until' ? 'date' : 'text'}
            w={k === 'from' || k === 'until' ? 170 : 180}
          />
        ))}
        <Button type="submit">Apply filters</Button>
        <Button variant="default" onClick={clear}>
          Clear
        </Button>
      </Group>
    </form>
  );
}
