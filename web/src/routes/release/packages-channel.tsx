import { Anchor, Button, Code, CopyButton, Group, Stack, Table, Tabs, Text, Title, VisuallyHidden } from '@mantine/core';
import { useState } from 'react';
import { ProblemAlert } from '../../components/problem-alert';
import { PackageCoverage } from './package-coverage';
import { PackageManifest } from './package-manifest';
import { PackagesDiff } from './packages-diff';
import { fileUrl, formatBytes, usePackageDetail, type PackageVersion } from './packages-queries';
import { UploadDropzone } from './upload-dropzone';

/** One channel of the release: its versions, an upload, and what is inside the version chosen. */
export function PackagesChannel(props: {
  release: string;
  app: string | undefined;
  channel: string;
  versions: PackageVersion[];
  canUpload: boolean;
}) {
  const { release, app, channel, versions, canUpload } = props;
  const newestFirst = [...versions].sort((a, b) => b.version - a.version);
  const [chosen, setChosen] = useState<number | null>(null);
  const selected = newestFirst.find((v) => v.version === chosen) ?? newestFirst.find((v) => v.file) ?? newestFirst[0];
  const headingId = `channel-${channel}`;

  return (
    <Stack component="section" aria-labelledby={headingId} gap="sm">
      <Title order={3} id={headingId}>
        {channel} channel
      </Title>
      {canUpload && <UploadDropzone release={release} app={app} channel={channel} onUploaded={setChosen} />}
      {newestFirst.length === 0 ? (
        <Text size="sm">No package version yet.</Text>
      ) : (
        <Table.ScrollContainer minWidth={900}>
          <Table striped aria-label={`Package versions of the ${channel} channel`}>
            <Table.Thead>
              <Table.Tr>
                <Table.Th scope="col">Version</Table.Th>
                <Table.Th scope="col">Label and file</Table.Th>
                <Table.Th scope="col">Size</Table.Th>
                <Table.Th scope="col">SHA-256</Table.Th>
                <Table.Th scope="col">Uploaded</Table.Th>
                <Table.Th scope="col">Actions</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {newestFirst.map((v) => (
                <Table.Tr key={v.version} aria-current={v.version === selected?.version ? 'true' : undefined}>
                  <Table.Th scope="row">v{v.version}</Table.Th>
                  <Table.Td>
                    {(!v.file || v.label !== v.file.name) && (
                      <Text size="sm" fw={500}>
                        {v.label}
                      </Text>
                    )}
                    {v.file ? (
                      <Text size="sm">
                        {v.file.name} ({v.file.kind})
                      </Text>
                    ) : (
                      <Text size="sm" c="dimmed">
                        recorded by label, no file
                      </Text>
                    )}
                  </Table.Td>
                  <Table.Td>{v.file ? formatBytes(v.file.size) : '—'}</Table.Td>
                  <Table.Td maw={280}>{v.file ? <Checksum value={v.file.sha256} version={v.version} /> : '—'}</Table.Td>
                  <Table.Td>
                    <Text size="sm">{v.createdBy}</Text>
                    <Text size="sm">{new Date(v.createdAt).toLocaleString()}</Text>
                  </Table.Td>
                  <Table.Td>
                    <Group gap="xs" wrap="nowrap">
                      {v.file && (
                        <Anchor href={fileUrl(release, app, channel, v.version)} download={v.file.name} size="sm">
                          Download
                          <VisuallyHidden>
                            {' '}
                            v{v.version}, {v.file.name}
                          </VisuallyHidden>
                        </Anchor>
                      )}
                      <Button
                        size="compact-sm"
                        variant={v.version === selected?.version ? 'filled' : 'light'}
                        aria-pressed={v.version === selected?.version}
                        onClick={() => setChosen(v.version)}
                      >
                        Show v{v.version}
                      </Button>
                    </Group>
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      )}
      {selected && <VersionDetail release={release} app={app} channel={channel} versions={versions} selected={selected} />}
    </Stack>
  );
}

function Checksum({ value, version }: { value: string; version: number }) {
  return (
    <Stack gap={2} align="flex-start">
      <Code style={{ wordBreak: 'break-all' }} aria-label={`SHA-256 of v${version}`}>
        {value}
      </Code>
      <CopyButton value={value}>
        {({ copied, copy }) => (
          <Button size="compact-xs" variant="subtle" onClick={copy} aria-label={`Copy the SHA-256 of v${version}`}>
            {copied ? 'Copied' : 'Copy SHA-256'}
          </Button>
        )}
      </CopyButton>
    </Stack>
  );
}

function VersionDetail(props: {
  release: string;
  app: string | undefined;
  channel: string;
  versions: PackageVersion[];
  selected: PackageVersion;
}) {
  const { release, app, channel, versions, selected } = props;
  const detail = usePackageDetail(release, app, channel, selected.version);
  const label = `${channel} v${selected.version}`;
  return (
    <Stack gap="xs">
      <Title order={4}>
        Version {selected.version}: {selected.file?.name ?? selected.label}
      </Title>
      <Tabs defaultValue="contents" keepMounted={false} key={selected.version}>
        <Tabs.List aria-label={`About ${label}`}>
          <Tabs.Tab value="contents">Contents</Tabs.Tab>
          <Tabs.Tab value="coverage">Coverage by work item</Tabs.Tab>
          <Tabs.Tab value="changes">Changes</Tabs.Tab>
        </Tabs.List>
        <Tabs.Panel value="contents" pt="sm">
          {detail.error ? (
            <ProblemAlert error={detail.error} title={`The contents of ${label} could not be shown`} />
          ) : detail.data ? (
            <PackageManifest manifest={detail.data.manifest} label={label} />
          ) : (
            <p role="status">Loading the contents…</p>
          )}
        </Tabs.Panel>
        <Tabs.Panel value="coverage" pt="sm">
          {selected.file ? (
            <PackageCoverage release={release} app={app} channel={channel} version={selected.version} />
          ) : (
            <Text size="sm">This version has no file to check.</Text>
          )}
        </Tabs.Panel>
        <Tabs.Panel value="changes" pt="sm">
          {selected.file ? (
            <PackagesDiff release={release} app={app} channel={channel} versions={versions} selected={selected} />
          ) : (
            <Text size="sm">This version has no file to compare.</Text>
          )}
        </Tabs.Panel>
      </Tabs>
    </Stack>
  );
}
