import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import path from 'node:path';
import type { Command } from 'commander';
import { CliError, EXIT } from '../errors.js';
import { counted, progress } from '../progress.js';
import {
  renderCoverage,
  renderDiff,
  renderElementDiff,
  renderList,
  renderShown,
  renderUploaded,
  type CoverageView,
  type Diff,
  type ElementDiff,
  type PackageView,
  type Shown,
  type Uploaded,
} from './package-render.js';
import { client, globals, int, show } from './remote.js';

const releasePath = (name: string, rest: string) => `/releases/${encodeURIComponent(name)}${rest}`;
const channelPath = (name: string, channel: string, rest = '') => releasePath(name, `/packages/${encodeURIComponent(channel)}${rest}`);

/**
 * `--version N` after a package command. The program owns `--version` (it
 * prints relman's version), so the value arrives among the global options;
 * main.ts refuses it for commands that do not declare it.
 */
function versionOf(cmd: Command): string {
  const v = cmd.optsWithGlobals<{ version?: string | boolean }>().version;
  if (v === undefined || v === true) return 'latest';
  const s = String(v);
  if (s !== 'latest' && !/^[1-9]\d{0,6}$/.test(s))
    throw new CliError(`--version must be a version number or latest, got "${s}"`, EXIT.usage);
  return s;
}

const VERSION_HELP = 'package version: a number, or latest (default)';
const progressOff = (opts: { progress?: boolean }) => opts.progress === false;

async function upload(name: string, file: string, opts: { channel: string; progress?: boolean }, cmd: Command): Promise<void> {
  let size: number;
  try {
    const s = await stat(file);
    if (!s.isFile()) throw new Error('not a regular file');
    size = s.size;
  } catch (err) {
    throw new CliError(`cannot read ${file}: ${(err as Error).message}`, EXIT.usage);
  }
  const fileName = path.basename(file);
  const bar = progress({ label: `uploading ${fileName}`, total: size, quiet: progressOff(opts) });
  const body = counted(
    createReadStream(file, { highWaterMark: 1024 * 1024 }),
    (n) => bar.add(n),
    () => bar.sent('the server is checking the file'),
  );
  let result: Uploaded;
  try {
    result = await client(cmd).requestStream<Uploaded>(
      'PUT',
      channelPath(name, opts.channel, `/files/${encodeURIComponent(fileName)}`),
      body,
      size,
      {
        app: globals(cmd).app,
      },
    );
  } catch (err) {
    bar.fail();
    throw err;
  }
  bar.done(`uploaded ${fileName}:`);
  show(cmd, result, () => renderUploaded(name, result));
}

/** `relman package upload|list|show|coverage|diff|download`: package files of a release (P5, P6, P17). */
export function registerPackages(program: Command): void {
  const pkg =
    program.commands.find((c) => c.name() === 'package') ??
    program.command('package').description('package versions of a release, per channel');

  pkg
    .command('upload <release> <file>')
    .description(
      'upload a package file (Caché/IRIS export .xml, .zip, .war) as the channel’s next version; streamed, with progress on stderr',
    )
    .requiredOption('--channel <channel>', 'channel, e.g. database or web')
    .option('--no-progress', 'no progress report on stderr')
    .action(upload);

  pkg
    .command('list <release>')
    .description('every package version of a release, per channel')
    .action(async (name: string, _opts: unknown, cmd: Command) => {
      const r = await client(cmd).request<{ items: PackageView[] }>('GET', releasePath(name, '/packages'), undefined, {
        app: globals(cmd).app,
      });
      show(cmd, r, () => renderList(r.items));
    });

  pkg
    .command('show <release>')
    .description('a package version and its manifest: elements of a release file, entries of an archive')
    .requiredOption('--channel <channel>', 'channel, e.g. database or web')
    .option('--version <n>', VERSION_HELP)
    .action(async (name: string, opts: { channel: string }, cmd: Command) => {
      const p = await client(cmd).request<Shown>('GET', channelPath(name, opts.channel, `/${versionOf(cmd)}`), undefined, {
        app: globals(cmd).app,
      });
      show(cmd, p, () => renderShown(p));
    });

  pkg
    .command('coverage <release>')
    .description('per work item, the declared elements missing from the file; and the elements no item declares')
    .requiredOption('--channel <channel>', 'channel, e.g. database or web')
    .option('--version <n>', VERSION_HELP)
    .action(async (name: string, opts: { channel: string }, cmd: Command) => {
      const c = await client(cmd).request<CoverageView>('GET', channelPath(name, opts.channel, `/${versionOf(cmd)}/coverage`), undefined, {
        app: globals(cmd).app,
      });
      show(cmd, c, () => renderCoverage(name, opts.channel, c));
    });

  pkg
    .command('diff <release>')
    .description('added, removed and changed elements between two versions (default: the latest and the one before)')
    .requiredOption('--channel <channel>', 'channel, e.g. database or web')
    .option('--from <n>', 'older version', int('--from'))
    .option('--to <n>', 'newer version (default: the latest)', int('--to'))
    .option('--against-production', 'compare with the same channel’s file in the previous release that reached production')
    .option('--element <type:name>', 'one element of a release file, e.g. class:CMS.Patient: print the unified diff of its text')
    .action(
      async (
        name: string,
        opts: { channel: string; from?: number; to?: number; againstProduction?: boolean; element?: string },
        cmd: Command,
      ) => {
        if (opts.againstProduction && opts.from !== undefined)
          throw new CliError('give at most one of --from and --against-production', EXIT.usage);
        if (opts.element !== undefined) {
          const e = await client(cmd).request<ElementDiff>('GET', channelPath(name, opts.channel, '/element-diff'), undefined, {
            app: globals(cmd).app,
            element: opts.element,
            from: opts.from,
            to: opts.to,
            against: opts.againstProduction ? 'production' : undefined,
          });
          show(cmd, e, () => renderElementDiff(e));
          return;
        }
        const d = await client(cmd).request<Diff>('GET', channelPath(name, opts.channel, '/diff'), undefined, {
          app: globals(cmd).app,
          from: opts.from,
          to: opts.to,
          against: opts.againstProduction ? 'production' : undefined,
        });
        show(cmd, d, () => renderDiff(opts.channel, d));
      },
    );

  pkg
    .command('download <release>')
    .description('download a package file, verifying its SHA-256; nothing is left behind when it does not match')
    .requiredOption('--channel <channel>', 'channel, e.g. database or web')
    .option('--version <n>', VERSION_HELP)
    .option(
      '-o, --output <file>',
      'where to write it; a folder (an existing one, or DIR/ — created if need be) keeps the file’s name (default: the current folder)',
    )
    .option('--no-progress', 'no progress report on stderr')
    .action(async (name: string, opts: { channel: string; output?: string; progress?: boolean }, cmd: Command) => {
      const version = versionOf(cmd);
      // Hashing and file streams are loaded for this command only.
      const { downloadPackage } = await import('./package-download.js');
      const r = await downloadPackage(
        client(cmd),
        channelPath(name, opts.channel, `/${version}/file`),
        { app: globals(cmd).app },
        { output: opts.output, fallbackName: `${name}-${opts.channel}-${version}`, quiet: progressOff(opts) },
      );
      show(cmd, r, () => `wrote ${r.file} (${r.size} bytes, sha256 ${r.sha256} verified)`);
    });
}
