import { Alert, List } from '@mantine/core';
import { ProblemError } from '../api/problem';

/**
 * An error as relman described it: the problem's title and detail, and each
 * listed problem or unmet condition, so a user reads what to change.
 */
export function ProblemAlert({ error, title }: { error: unknown; title?: string }) {
  if (!error) return null;
  const p = error instanceof ProblemError ? error.problem : null;
  const items = [
    ...(p?.errors ?? []).map((e) => (e.path || e.field ? `${e.path ?? e.field}: ${e.message}` : e.message)),
    ...(p?.unmet ?? []),
  ];
  return (
    <Alert color="red" title={title ?? p?.title ?? 'Something went wrong'} role="alert" variant="light">
      {p?.detail ?? (error instanceof Error ? error.message : JSON.stringify(error))}
      {items.length > 0 && (
        <List size="sm" mt="xs">
          {items.map((m, i) => (
            <List.Item key={i}>{m}</List.Item>
          ))}
        </List>
      )}
    </Alert>
  );
}
