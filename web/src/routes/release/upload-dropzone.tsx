import '@mantine/dropzone/styles.css';
import { Button, Group, Progress, Stack, Text } from '@mantine/core';
import { Dropzone } from '@mantine/dropzone';
import { useQueryClient } from '@tanstack/react-query';
import { useId, useRef, useState } from 'react';
import { Link } from 'react-router';
import { ProblemError } from '../../api/problem';
import { uploadPackageFile, type UploadedPackage, type UploadProgress } from '../../api/upload';
import { ProblemAlert } from '../../components/problem-alert';
import { formatBytes } from './packages-queries';
import { releaseKey } from './queries';

type State =
  | { phase: 'idle' }
  | { phase: 'sending'; file: File; progress: UploadProgress }
  | { phase: 'done'; file: File; result: UploadedPackage }
  | { phase: 'failed'; file: File; error: unknown };

/** A problem's code: the last part of its `type` (`urn:relman:problem:state-evidence-voided`). */
const codeOf = (err: unknown): string | undefined =>
  err instanceof ProblemError ? (err.problem.code ?? err.problem.type?.split(':').pop()) : undefined;

/** What a refusal means for the person uploading, beyond the server's own words. */
function refusalTitle(err: unknown, file: File): string {
  if (!(err instanceof ProblemError)) return `${file.name} was not uploaded`;
  switch (err.status) {
    case 413: {
      const max = err.problem.maxBytes;
      return `${file.name} is too large for this server${typeof max === 'number' ? ` (at most ${formatBytes(max)})` : ''}`;
    }
    case 422:
      return `${file.name} was refused: it is not a file this channel takes, or it is unsafe`;
    case 409:
      return codeOf(err) === 'state-evidence-voided'
        ? `${file.name} was not uploaded: a new version would void what the release’s state rests on`
        : `${file.name} was not uploaded: ${err.problem.title}`;
    default:
      return `${file.name} was not uploaded`;
  }
}

/**
 * Upload of a channel's next package version: drop a file, or choose one with
 * the labelled button (which works from the keyboard); the bytes go as they
 * are, with a progress bar, and the release's queries are fetched again.
 */
export function UploadDropzone(props: {
  release: string;
  app: string | undefined;
  channel: string;
  onUploaded?: (version: number) => void;
}) {
  const { release, app, channel, onUploaded } = props;
  const qc = useQueryClient();
  const openRef = useRef<() => void>(null);
  const [state, setState] = useState<State>({ phase: 'idle' });
  const hintId = useId();
  const sending = state.phase === 'sending';

  async function send(file: File | undefined) {
    if (!file) return;
    setState({ phase: 'sending', file, progress: { loaded: 0, total: file.size } });
    try {
      const result = await uploadPackageFile({
        release,
        channel,
        app,
        file,
        onProgress: (progress) => setState((s) => (s.phase === 'sending' && s.file === file ? { ...s, progress } : s)),
      });
      setState({ phase: 'done', file, result });
      onUploaded?.(result.version);
    } catch (error) {
      setState({ phase: 'failed', file, error });
    } finally {
      await qc.invalidateQueries({ queryKey: releaseKey(release) });
    }
  }

  const percent =
    state.phase === 'sending' && state.progress.total > 0 ? Math.round((state.progress.loaded / state.progress.total) * 100) : 0;
  const base = `/releases/${encodeURIComponent(release)}${app ? `?app=${encodeURIComponent(app)}` : ''}`;

  return (
    <Stack gap="xs">
      <Dropzone
        onDrop={(files) => void send(files[0])}
        openRef={openRef}
        multiple={false}
        disabled={sending}
        activateOnClick={false}
        activateOnKeyboard={false}
        inputProps={{ 'aria-label': `Package file for the ${channel} channel`, 'aria-describedby': hintId }}
        p="md"
      >
        <Group justify="space-between" wrap="wrap" style={{ pointerEvents: 'none' }}>
          <Text id={hintId} size="sm">
            Drop a file here to upload it as the next version of the {channel} channel, or choose one.
          </Text>
        </Group>
      </Dropzone>
      <Group>
        <Button onClick={() => openRef.current?.()} disabled={sending} variant="light">
          Choose a file to upload to {channel}
        </Button>
      </Group>
      {state.phase === 'sending' && (
        <Stack gap={4} role="status" aria-live="polite">
          <Text size="sm">
            Uploading {state.file.name}: {formatBytes(state.progress.loaded)} of {formatBytes(state.progress.total)} ({percent} %)
          </Text>
          <Progress value={percent} animated aria-label={`Upload of ${state.file.name}`} />
        </Stack>
      )}
      {state.phase === 'done' && (
        <Text size="sm" role="status">
          {state.result.reused
            ? `${state.file.name} is the same file for the same items as version ${state.result.version}: nothing new was recorded.`
            : `Uploaded ${state.file.name} as version ${state.result.version}.`}
          {state.result.voidedApprovals > 0 && ` ${state.result.voidedApprovals} approval(s) were voided by the new version.`}
          {state.result.coverage &&
            !state.result.coverage.complete &&
            ' Some work items’ elements are missing from the package (see Coverage).'}
        </Text>
      )}
      {state.phase === 'failed' && (
        <Stack gap={4}>
          <ProblemAlert error={state.error} title={refusalTitle(state.error, state.file)} />
          {codeOf(state.error) === 'state-evidence-voided' && (
            <Text size="sm">
              To upload a new version, take the release back first on <Link to={base}>Road to production</Link> (the transition named
              above), then upload again.
            </Text>
          )}
        </Stack>
      )}
    </Stack>
  );
}
