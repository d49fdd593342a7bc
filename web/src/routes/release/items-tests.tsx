import { Text } from '@mantine/core';
import { nameOf, type Named } from './tests-template';
import { packagesText, when, type TestAttempt } from './tests-evidence';

/**
 * One item's test history, per environment: the latest result in words, and
 * every attempt (who, when, cause, package versions) behind a disclosure.
 */
export function ItemTestHistory({
  item,
  byEnv,
  environments,
  causes,
}: {
  item: string;
  byEnv: Map<string, TestAttempt[]> | undefined;
  environments: Named[] | undefined;
  causes: Named[] | undefined;
}) {
  if (!byEnv || byEnv.size === 0) return <Text size="sm">Not tested</Text>;
  return (
    <div>
      {[...byEnv.entries()].map(([env, attempts]) => {
        const last = attempts[attempts.length - 1];
        if (!last) return null;
        const envName = nameOf(environments, env);
        return (
          <details key={env}>
            <summary>
              {envName}: <strong>{last.result}</strong> ({attempts.length} attempt{attempts.length === 1 ? '' : 's'})
            </summary>
            <ol aria-label={`Test attempts of ${item} in ${envName}`} style={{ margin: '4px 0', paddingLeft: 20 }}>
              {attempts.map((a) => (
                <li key={a.id}>
                  <Text size="sm" component="span">
                    {a.result}
                    {a.cause ? ` (cause: ${nameOf(causes, a.cause)})` : ''} by {a.recordedBy}, {when(a.recordedAt)}
                    {Object.keys(a.packages).length ? `; tested ${packagesText(a.packages)}` : ''}
                    {a.notes ? ` — ${a.notes}` : ''}
                  </Text>
                </li>
              ))}
            </ol>
          </details>
        );
      })}
    </div>
  );
}
