import { Stack, Text, Title } from '@mantine/core';
import { ProblemAlert } from '../../components/problem-alert';
import { useMe } from '../../session';
import { PackagesChannel } from './packages-channel';
import { usePackages } from './packages-queries';
import { useReleaseDetail, useReleaseRef } from './queries';

/** The release's packages, channel by channel: versions, upload, contents, coverage and what changed. */
export default function PackagesTab() {
  const { name, app } = useReleaseRef();
  const me = useMe();
  const release = useReleaseDetail(name, app);
  const packages = usePackages(name, app);

  if (packages.error) return <ProblemAlert error={packages.error} title="The packages could not be shown" />;
  if (!release.data || !packages.data) return <p role="status">Loading packages…</p>;
  const all = packages.data;
  // Channels the release no longer lists keep their versions visible.
  const channels = [...new Set([...release.data.channels, ...all.map((p) => p.channel)])];
  return (
    <Stack gap="xl">
      <Title order={2}>Packages</Title>
      {channels.length === 0 && <Text>The release has no channel.</Text>}
      {channels.map((c) => (
        <PackagesChannel
          key={c}
          release={name}
          app={app}
          channel={c}
          versions={all.filter((p) => p.channel === c)}
          canUpload={me.can('package.record')}
        />
      ))}
    </Stack>
  );
}
