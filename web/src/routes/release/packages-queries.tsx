import { useQuery } from '@tanstack/react-query';
import { api, data } from '../../api/client';
import type { paths } from '../../api/schema';
import { releaseKey } from './queries';

type Ok<P extends keyof paths> = paths[P] extends { get: { responses: { 200: { content: { 'application/json': infer T } } } } } ? T : never;

export type PackageVersion = Ok<'/api/v1/releases/{name}/packages'>['items'][number];
export type PackageDetail = Ok<'/api/v1/releases/{name}/packages/{channel}/{version}'>;
export type Coverage = Ok<'/api/v1/releases/{name}/packages/{channel}/{version}/coverage'>;
export type PackageDiff = Ok<'/api/v1/releases/{name}/packages/{channel}/diff'>;
export type ElementDiff = Ok<'/api/v1/releases/{name}/packages/{channel}/element-diff'>;

/** Which two files a diff compares: two versions of this release, or `to` against the previous production release. */
export type Comparison = { from?: number | undefined; to?: number | undefined; against?: 'production' | undefined };

const appQuery = (app: string | undefined) => (app ? { app } : {});

export function usePackages(name: string, app: string | undefined) {
  return useQuery({
    queryKey: releaseKey(name, 'packages', app),
    queryFn: async () =>
      data(await api.GET('/api/v1/releases/{name}/packages', { params: { path: { name }, query: appQuery(app) } })).items,
  });
}

export function usePackageDetail(name: string, app: string | undefined, channel: string, version: number) {
  return useQuery({
    queryKey: releaseKey(name, 'packages', app, channel, version, 'detail'),
    queryFn: async () =>
      data(
        await api.GET('/api/v1/releases/{name}/packages/{channel}/{version}', {
          params: { path: { name, channel, version }, query: appQuery(app) },
        }),
      ),
  });
}

export function useCoverage(name: string, app: string | undefined, channel: string, version: number) {
  return useQuery({
    queryKey: releaseKey(name, 'packages', app, channel, version, 'coverage'),
    queryFn: async () =>
      data(
        await api.GET('/api/v1/releases/{name}/packages/{channel}/{version}/coverage', {
          params: { path: { name, channel, version }, query: appQuery(app) },
        }),
      ),
  });
}

export function usePackageDiff(name: string, app: string | undefined, channel: string, c: Comparison, enabled: boolean) {
  return useQuery({
    queryKey: releaseKey(name, 'packages', app, channel, 'diff', c.from, c.to, c.against),
    enabled,
    queryFn: async () =>
      data(
        await api.GET('/api/v1/releases/{name}/packages/{channel}/diff', {
          params: { path: { name, channel }, query: { ...appQuery(app), ...defined(c) } },
        }),
      ),
  });
}

export function useElementDiff(name: string, app: string | undefined, channel: string, element: string, c: Comparison) {
  return useQuery({
    queryKey: releaseKey(name, 'packages', app, channel, 'element-diff', element, c.from, c.to, c.against),
    queryFn: async () =>
      data(
        await api.GET('/api/v1/releases/{name}/packages/{channel}/element-diff', {
          params: { path: { name, channel }, query: { ...appQuery(app), element, ...defined(c) } },
        }),
      ),
  });
}

function defined(c: Comparison): Comparison {
  return Object.fromEntries(Object.entries(c).filter(([, v]) => v !== undefined));
}

/** The API address a signed-in browser downloads a version's file from (its cookie goes along). */
export function fileUrl(name: string, app: string | undefined, channel: string, version: number): string {
  const enc = encodeURIComponent;
  return `/api/v1/releases/${enc(name)}/packages/${enc(channel)}/${version}/file${app ? `?app=${enc(app)}` : ''}`;
}

export function formatBytes(n: number): string {
  if (n < 1024) return `${n} bytes`;
  const units = ['KiB', 'MiB', 'GiB', 'TiB'];
  let v = n / 1024;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${v.toFixed(v < 10 ? 1 : 0)} ${units[i]}`;
}
