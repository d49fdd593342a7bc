import { Box } from '@mantine/core';
import { Fragment, useMemo } from 'react';
import { tokenizeLine, type Token } from './templates-yaml-tokens';

// Dark enough to read on white (WCAG AA) and told apart without relying on colour alone.
const COLOURS: Record<Token['kind'], string | undefined> = {
  key: '#0b4f8a',
  string: '#1d5e20',
  number: '#8a3b00',
  comment: '#54595e',
  punct: undefined,
  plain: undefined,
};

/**
 * A YAML document with line numbers and its keys, strings, numbers and
 * comments coloured. `marked` lines (problems) are highlighted and labelled;
 * `only` shows just those lines, e.g. the neighbourhood of each problem.
 */
export default function YamlView({
  yaml,
  label,
  marked,
  only,
}: {
  yaml: string;
  label: string;
  marked?: ReadonlyMap<number, string>;
  only?: ReadonlySet<number>;
}) {
  const lines = useMemo(() => yaml.split('\n').map((text, i) => ({ n: i + 1, tokens: tokenizeLine(text) })), [yaml]);
  const shown = only ? lines.filter((l) => only.has(l.n)) : lines;
  return (
    <Box
      component="pre"
      role="region"
      aria-label={label}
      tabIndex={0}
      m={0}
      p="xs"
      style={{ maxHeight: '32rem', overflow: 'auto', fontSize: 13, lineHeight: 1.45, border: '1px solid #ced4da', borderRadius: 4 }}
    >
      {shown.map((line, i) => {
        const problem = marked?.get(line.n);
        const gap = only && i > 0 && shown[i - 1]?.n !== line.n - 1;
        return (
          <Fragment key={line.n}>
            {gap && <div aria-hidden="true">⋯</div>}
            <div
              className="yaml-line"
              data-line={line.n}
              title={problem}
              style={problem ? { background: '#ffe3e3', outline: '1px solid #c92a2a' } : undefined}
            >
              {line.tokens.map((t, j) => {
                const colour = COLOURS[t.kind];
                // Uncoloured text stays a text node: fewer elements keep a long document quick to render and to check.
                return colour ? (
                  <span key={j} style={{ color: colour, fontWeight: t.kind === 'key' ? 600 : undefined }}>
                    {t.text}
                  </span>
                ) : (
                  <Fragment key={j}>{t.text}</Fragment>
                );
              })}
              {problem && <span style={{ color: '#a51d1d', fontWeight: 700 }}>{`  ◀ ${problem}`}</span>}
            </div>
          </Fragment>
        );
      })}
    </Box>
  );
}
