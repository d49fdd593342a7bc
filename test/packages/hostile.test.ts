import { randomBytes } from 'node:crypto';
import type { LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { dialects } from '../support/databases.js';
import { harness, userWith, type Harness } from '../support/harness.js';
import { caller, expectJson, expectProblem, type Call, type ProblemBody } from '../support/http.js';
import { makeCrew, startFlow } from '../support/lifecycle-flow.js';
import { V } from '../support/lifecycle-http.js';
import {
  blobPath,
  buildZip,
  endlessBody,
  fileVersions,
  fixture,
  OCTET,
  packagesApp,
  packagesUrl,
  rawZip,
  sha256,
  staticZip,
  storeFiles,
  upload,
  uploadEvents,
  uploadUrl,
  type PackagesApp,
} from '../support/packages.js';
import { lastAuditSeq, manualClock } from '../support/service-fixtures.js';

const EXPORT_HEAD = '<?xml version="1.0" encoding="UTF-8"?>\n';
const XXE =
  `${EXPORT_HEAD}<!DOCTYPE Export [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>\n` +
  '<Export generator="Cache" version="25"><Class name="CMS.Leak"><Description>&xxe;</Description></Class></Export>\n';
const LAUGHS =
  `${EXPORT_HEAD}<!DOCTYPE Export [\n <!ENTITY lol "lol">\n` +
  Array.from({ length: 9 }, (_, i) => ` <!ENTITY lol${i + 1} "${`&lol${i === 0 ? '' : i};`.repeat(10)}">\n`).join('') +
  ']>\n<Export generator="Cache" version="25"><Class name="CMS.Lol"><Description>&lol9;</Description></Class></Export>\n';
const UNDEFINED_ENTITY = `${EXPORT_HEAD}<Export generator="Cache" version="25"><Class name="CMS.Page"><Description>a&nbsp;b</Description></Class></Export>\n`;

type Case = {
  what: string;
  channel: string;
  fileName: string;
  body: () => Buffer | Promise<Buffer>;
  status: number;
  code: string;
  /** The reason the reader gives, as `reason:` at the start of the problem's `file` error. */
  reason?: string;
};

const MiB = 1024 * 1024;

const CASES: Case[] = [
  {
    what: 'XXE (an external entity in a DTD)',
    channel: 'database',
    fileName: 'xxe.xml',
    body: () => Buffer.from(XXE),
    status: 422,
    code: 'validation',
    reason: 'dtd',
  },
  {
    what: 'billion laughs',
    channel: 'database',
    fileName: 'laughs.xml',
    body: () => Buffer.from(LAUGHS),
    status: 422,
    code: 'validation',
    reason: 'dtd',
  },
  {
    what: 'an undefined entity',
    channel: 'database',
    fileName: 'nbsp.xml',
    body: () => Buffer.from(UNDEFINED_ENTITY),
    status: 422,
    code: 'validation',
    reason: 'entity',
  },
  {
    what: 'zip-slip (../../evil)',
    channel: 'web',
    fileName: 'slip.zip',
    body: () => rawZip('../../evil.jsp', Buffer.from('<% Runtime.getRuntime().exec("id"); %>')),
    status: 422,
    code: 'validation',
    reason: 'unsafe-path',
  },
  {
    what: 'a zip bomb (20 MiB of zeros, deflated)',
    channel: 'web',
    fileName: 'bomb.zip',
    body: () => buildZip([{ name: 'zeros.bin', data: Buffer.alloc(20 * MiB) }]),
    status: 422,
    code: 'validation',
    reason: 'bomb',
  },
  {
    what: 'a truncated zip',
    channel: 'web',
    fileName: 'cut.zip',
    body: async () => (await staticZip()).subarray(0, 300),
    status: 422,
    code: 'validation',
    reason: 'truncated',
  },
  {
    what: 'random bytes named .zip',
    channel: 'web',
    fileName: 'noise.zip',
    body: () => Buffer.concat([Buffer.from('RND'), randomBytes(4096)]),
    status: 422,
    code: 'validation',
    reason: 'not-zip',
  },
  {
    what: 'JSON named .xml',
    channel: 'database',
    fileName: 'export.xml',
    body: () => Buffer.from('{"classes":["CMS.Patient"]}\n'),
    status: 422,
    code: 'validation',
    reason: 'not-xml',
  },
  {
    what: 'a truncated export',
    channel: 'database',
    fileName: 'cut.xml',
    body: () => fixture('CFIS001-v1.xml').subarray(0, 2000),
    status: 422,
    code: 'validation',
    reason: 'not-xml',
  },
  { what: 'an empty file', channel: 'database', fileName: 'empty.xml', body: () => Buffer.alloc(0), status: 422, code: 'validation' },
  {
    what: 'a ZIP for the database channel',
    channel: 'database',
    fileName: 'web.zip',
    body: () => staticZip(),
    status: 422,
    code: 'validation',
  },
  {
    what: 'a release file for the web channel',
    channel: 'web',
    fileName: 'CFIS001.xml',
    body: () => fixture('CFIS001-v1.xml'),
    status: 422,
    code: 'validation',
  },
  {
    what: 'a file of no known kind',
    channel: 'web',
    fileName: 'cms.tar.gz',
    body: () => Buffer.from('x'),
    status: 422,
    code: 'validation',
  },
  {
    what: 'an encoded path in the file name',
    channel: 'database',
    fileName: '..%2Fx.xml',
    body: () => fixture('CFIS001-v1.xml'),
    status: 422,
    code: 'validation',
  },
  {
    what: 'a path as the file name',
    channel: 'database',
    fileName: 'a/b.xml',
    body: () => fixture('CFIS001-v1.xml'),
    status: 404,
    code: 'not-found',
  },
  {
    what: 'a channel the release does not carry',
    channel: 'sftp',
    fileName: 'CFIS001.xml',
    body: () => fixture('CFIS001-v1.xml'),
    status: 422,
    code: 'validation',
  },
];

describe.each(dialects)('hostile and invalid package files ($name)', ({ name: dialect }) => {
  const clock = manualClock();
  let h: Harness;
  let pa: PackagesApp;
  let dev: Call;
  let release: string;
  let before: { seq: number; versions: number; events: number };

  beforeAll(async () => {
    h = await harness(dialect, clock.clock);
    pa = await packagesApp(h.deps);
    dev = caller(pa.app, (await userWith(h.deps, ['developer'], 'dev-dee')).token);
    const r = expectJson(
      await dev('POST', `${V}/releases`, { type: 'scheduled', plannedDate: '2030-02-02', channels: ['database', 'web'] }),
      201,
    );
    release = r.name as string;
  });
  afterAll(async () => {
    await pa?.close();
    await h?.close();
  });
  /** What is recorded now; a refused upload must leave exactly this. */
  async function mark(): Promise<void> {
    before = {
      seq: await lastAuditSeq(h.deps),
      versions: (await fileVersions(h.deps)).length,
      events: (await uploadEvents(h.deps)).length,
    };
  }
  beforeEach(mark);

  /** The answer is a problem, and nothing at all was kept: no version, no audit event, no file. */
  async function refusedCleanly(
    res: LightMyRequestResponse,
    status: number,
    code: string,
    root = pa.root,
    kept: { sha256: string[]; tmp: string[] } = { sha256: [], tmp: [] },
  ): Promise<ProblemBody> {
    const p = expectProblem(res, status, code);
    expect(await fileVersions(h.deps)).toHaveLength(before.versions);
    expect(await uploadEvents(h.deps)).toHaveLength(before.events);
    expect(await lastAuditSeq(h.deps)).toBe(before.seq);
    expect(storeFiles(root)).toEqual(kept);
    return p;
  }

  it.each(CASES)('refuses $what: $status $code', async (c) => {
    const res = await upload(dev, release, c.channel, c.fileName, await c.body());
    const p = await refusedCleanly(res, c.status, c.code);
    if (c.reason !== undefined) {
      expect(p.errors).toEqual([{ path: 'file', message: expect.stringMatching(new RegExp(`^${c.reason}: `)) }]);
    }
    expect(p.detail).not.toMatch(/root:x:0:0/);
  });

  it('gives the same refusal whether the export is read as it arrives or from the stored file (RELMAN_UPLOAD_STREAM_MANIFEST=0)', async () => {
    const exports = CASES.filter((c) => c.channel === 'database' && c.reason !== undefined);
    expect(exports.length).toBeGreaterThan(3);
    for (const c of exports) {
      const body = await c.body();
      const streamed = await refusedCleanly(await upload(dev, release, c.channel, c.fileName, body), c.status, c.code);
      process.env.RELMAN_UPLOAD_STREAM_MANIFEST = '0';
      try {
        const stored = await refusedCleanly(await upload(dev, release, c.channel, c.fileName, body), c.status, c.code);
        expect(stored.detail).toBe(streamed.detail);
        expect(stored.errors).toEqual(streamed.errors);
      } finally {
        delete process.env.RELMAN_UPLOAD_STREAM_MANIFEST;
      }
    }
  });

  it('names the file and what is wrong with it', async () => {
    const slip = await refusedCleanly(
      await upload(dev, release, 'web', 'slip.zip', rawZip('../../evil.jsp', Buffer.from('x'))),
      422,
      'validation',
    );
    expect(slip.detail).toContain('../../evil.jsp');
    const kind = await refusedCleanly(await upload(dev, release, 'database', 'web.zip', await staticZip()), 422, 'validation');
    expect(kind.errors).toEqual([{ path: 'fileName', message: 'a Database (Cache/IRIS) package is one of: cache-xml; "web.zip" is zip' }]);
  });

  it('answers 415 to a body that is not raw bytes', async () => {
    const url = uploadUrl(release, 'database', 'CFIS001.xml');
    await refusedCleanly(await dev('PUT', url, { file: fixture('CFIS001-v1.xml').toString('base64') }), 415, 'unsupported-media-type');
    await refusedCleanly(await dev('PUT', url, fixture('CFIS001-v1.xml'), { 'content-type': 'text/xml' }), 415, 'unsupported-media-type');
  });

  it('answers 413 to a file over the limit and keeps no part of it; a file at the limit is taken', async () => {
    const small = await packagesApp(h.deps, { maxUploadBytes: 1024 });
    try {
      const lead = caller(small.app, (await userWith(h.deps, ['database-lead'], 'db-dan')).token);
      await mark();
      const tiny = (size: number) => {
        const head = `${EXPORT_HEAD}<Export generator="Cache" version="25"><Class name="CMS.Tiny"><Super>%RegisteredObject</Super></Class>`;
        return Buffer.from(`${head}${' '.repeat(size - head.length - '</Export>'.length)}</Export>`);
      };
      const big = await refusedCleanly(await upload(lead, release, 'database', 'big.xml', tiny(4096)), 413, 'too-large', small.root);
      expect(big.maxBytes).toBe(1024);
      expect(tiny(1024)).toHaveLength(1024);
      expect(expectJson(await upload(lead, release, 'database', 'tiny.xml', tiny(1024)), 201)).toMatchObject({
        version: 1,
        file: { size: 1024 },
      });
      expect(storeFiles(small.root)).toEqual({ sha256: [blobPath(sha256(tiny(1024)))], tmp: [] });
      await mark();
      const over = await refusedCleanly(await upload(lead, release, 'database', 'tiny.xml', tiny(1025)), 413, 'too-large', small.root, {
        sha256: [blobPath(sha256(tiny(1024)))],
        tmp: [],
      });
      expect(over.detail).toContain('1024 bytes');
    } finally {
      await small.close();
    }
  });

  it('refuses a viewer with 403 before reading a byte of the body', async () => {
    const viewer = await userWith(h.deps, ['viewer'], 'viewer-vic');
    await mark();
    const body = endlessBody(fixture('CFIS001-v1.xml'));
    try {
      const res = await pa.app.inject({
        method: 'PUT',
        url: uploadUrl(release, 'database', 'CFIS001.xml'),
        headers: { ...OCTET, authorization: `Bearer ${viewer.token}` },
        payload: body.stream,
      });
      const p = await refusedCleanly(res, 403, 'forbidden');
      expect(p.action).toBe('package.record');
      expect(body.pulled()).toBe(0);
    } finally {
      body.stop();
    }
  });

  it('refuses 409 packages-locked while the release is approved for production', async () => {
    const crew = await makeCrew(h.deps);
    const f = await startFlow(h.deps, clock, crew, { channels: ['database'] });
    await f.readyForProduction();
    await f.transition(crew.cmc, 'approve-for-production');
    const packagesBefore = await h.deps.database.kysely.selectFrom('release_packages').select('id').execute();
    await mark();
    const p = await refusedCleanly(
      await upload(dev, f.name, 'database', 'CFIS-late.xml', fixture('CFIS001-v2.xml')),
      409,
      'packages-locked',
    );
    expect(p.detail).toContain('Approved for production');
    expect(await h.deps.database.kysely.selectFrom('release_packages').select('id').execute()).toEqual(packagesBefore);
  });

  it('leaves another package’s file alone when the same bytes are refused as another kind', async () => {
    const zip = await staticZip();
    expectJson(await upload(dev, release, 'web', 'cms-static.zip', zip), 201);
    expectProblem(await upload(dev, release, 'database', 'cms-static.xml', zip), 422, 'validation');
    expect(storeFiles(pa.root)).toEqual({ sha256: [blobPath(sha256(zip))], tmp: [] });
    const res = await dev('GET', packagesUrl(release, '/web/1/file'));
    expect(res.statusCode, res.body).toBe(200);
    expect(res.rawPayload.equals(zip)).toBe(true);
  });
});
