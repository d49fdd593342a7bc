import { Select, Stack, Tabs, Text, Title } from '@mantine/core';
import { lazy, Suspense } from 'react';
import { useSearchParams } from 'react-router';
import { usePageTitle } from '../../components/page-title';
import { ProblemAlert } from '../../components/problem-alert';
import { useMe } from '../../session';
import TemplateDiff from './templates-diff';
import TemplateEdit from './templates-edit';
import { useTemplates, useVersion, useVersions } from './templates-queries';
import TemplateReleases from './templates-releases';
import VersionsTable from './templates-versions';

const YamlView = lazy(() => import('./templates-yaml'));

const loading = <p role="status">Loading…</p>;

export default function Page() {
  usePageTitle('Process templates');
  const me = useMe();
  const [params, setParams] = useSearchParams();
  const templates = useTemplates();
  const key = params.get('key') ?? templates.data?.[0]?.key ?? null;
  const versions = useVersions(key);
  const inForce = versions.data?.[0]?.version ?? null;
  const reading = Number(params.get('version') ?? '') || inForce;
  const read = useVersion(key, reading);
  const current = useVersion(key, inForce, true);
  const tab = params.get('tab') ?? 'versions';
  const set = (changes: Record<string, string>) =>
    setParams((p) => {
      for (const [k, v] of Object.entries(changes)) p.set(k, v);
      return p;
    });

  return (
    <Stack>
      <Title order={1}>Process templates</Title>
      <ProblemAlert error={templates.error ?? versions.error} title="The templates could not be shown" />
      {templates.data && templates.data.length > 1 && (
        <Select
          label="Template"
          data={templates.data.map((t) => ({ value: t.key, label: `${t.name} (${t.key})` }))}
          value={key}
          onChange={(v) => v && setParams({ key: v })}
          allowDeselect={false}
          maw={480}
        />
      )}
      {!key || !versions.data ? (
        templates.isPending || versions.isPending ? (
          loading
        ) : (
          <Text>There is no process template.</Text>
        )
      ) : (
        <>
          <Text>
            {templates.data?.find((t) => t.key === key)?.name} ({key}): version {inForce} is in force. A release keeps the version it was
            created under.
          </Text>
          <Tabs value={tab} onChange={(v) => v && set({ tab: v })} keepMounted={false}>
            <Tabs.List>
              <Tabs.Tab value="versions">Versions</Tabs.Tab>
              <Tabs.Tab value="yaml">YAML</Tabs.Tab>
              {me.permissions?.admin && <Tabs.Tab value="edit">Edit and publish</Tabs.Tab>}
              <Tabs.Tab value="diff">Differences</Tabs.Tab>
              <Tabs.Tab value="releases">Releases per version</Tabs.Tab>
            </Tabs.List>
            <Tabs.Panel value="versions" pt="md">
              <Title order={2} mb="sm">
                Versions
              </Title>
              <VersionsTable versions={versions.data} onRead={(v) => set({ tab: 'yaml', version: String(v) })} />
            </Tabs.Panel>
            <Tabs.Panel value="yaml" pt="md">
              <Stack>
                <Title order={2}>YAML of version {reading}</Title>
                <Select
                  label="Version"
                  data={versions.data.map((v) => ({ value: String(v.version), label: `Version ${v.version}` }))}
                  value={String(reading)}
                  onChange={(v) => v && set({ version: v })}
                  allowDeselect={false}
                  maw={240}
                />
                <ProblemAlert error={read.error} title="The version could not be shown" />
                {read.data ? (
                  <Suspense fallback={loading}>
                    <YamlView yaml={read.data.yaml} label={`YAML of version ${reading}`} />
                  </Suspense>
                ) : (
                  loading
                )}
              </Stack>
            </Tabs.Panel>
            {me.permissions?.admin && (
              <Tabs.Panel value="edit" pt="md">
                <ProblemAlert error={current.error} title="The version in force could not be read" />
                {current.data && inForce !== null ? <TemplateEdit yaml={current.data.yaml} inForce={inForce} /> : loading}
              </Tabs.Panel>
            )}
            <Tabs.Panel value="diff" pt="md">
              <TemplateDiff key={inForce} templateKey={key} versions={versions.data} />
            </Tabs.Panel>
            <Tabs.Panel value="releases" pt="md">
              <TemplateReleases templateKey={key} versions={versions.data} />
            </Tabs.Panel>
          </Tabs>
        </>
      )}
    </Stack>
  );
}
