import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { diffPackages, listPackages, openPackageFile, showCoverage, showPackage } from '../../services/packages/read.js';
import { uploadPackage } from '../../services/packages/upload.js';
import { diffElement, ELEMENT_KEY, showElement } from '../../services/packages/element.js';
import type { RouteOptions } from '../app.js';
import { acceptRawBodies, rawBody, rawUpload } from '../raw-body.js';
import { actorOf } from '../auth.js';
import { appQuery, errorResponses, identifier, intParam } from '../schemas/common.js';
import { packageSchema } from '../schemas/lifecycle.js';

const nameParam = z.string().min(1).max(64);
const versionParam = z.union([z.literal('latest'), intParam(1, 1_000_000)]).describe('A version number, or latest');
const asVersion = (v: 'latest' | number): number | undefined => (v === 'latest' ? undefined : v);
const appOnly = z.object({ app: appQuery }).strict();

const elementRef = z.object({ type: z.string(), name: z.string() });
const coverageSchema = z.object({
  version: z.number().int().describe('The newest version among the files'),
  files: z
    .array(
      z.object({
        version: z.number().int(),
        kind: z.string(),
        fileName: z.string(),
        size: z.number().int(),
        sha256: z.string(),
        uploadedBy: z.string(),
        uploadedAt: z.string(),
      }),
    )
    .describe('The files checked: the newest file of each package kind of the channel (e.g. the ZIP and the WAR)'),
  complete: z.boolean(),
  items: z.array(z.object({ item: z.string(), missing: z.array(elementRef) })),
  undeclared: z.array(elementRef),
});
const uploadedSchema = packageSchema.extend({
  reused: z.boolean().describe('The same bytes for the same items were already the current file: no new version (P5)'),
  voidedApprovals: z.number().int(),
  coverage: coverageSchema.nullable().describe('Coverage of the channel’s current file set, this upload included'),
});
const diffSchema = z.object({
  from: z.object({ release: z.string(), version: z.number().int(), fileName: z.string().nullable() }),
  to: z.object({ release: z.string(), version: z.number().int(), fileName: z.string().nullable() }),
  kind: z.string(),
  added: z.array(z.unknown()),
  removed: z.array(z.unknown()),
  changed: z.array(z.unknown()),
  unchanged: z.number().int(),
});

const elementKeyParam = z
  .string()
  .max(600)
  .regex(ELEMENT_KEY)
  .describe('type:name, as in a manifest diff: class:CMS.Patient, routine:sc.compile.MAC, csp:/csp/cms/login.csp');
const elementSchema = z.object({
  element: z.string(),
  type: z.string(),
  name: z.string(),
  version: z.number().int(),
  text: z.string().describe('A class as one block per member (save stamps left out); a routine or CSP page as its source'),
});
const elementSideSchema = z.object({
  release: z.string(),
  version: z.number().int(),
  text: z.string().nullable().describe('Null when that version does not hold the element'),
});
const elementDiffSchema = z.object({
  element: z.string(),
  from: elementSideSchema,
  to: elementSideSchema,
  members: z
    .array(z.object({ kind: z.string(), name: z.string(), change: z.enum(['added', 'removed', 'changed']) }))
    .describe('Class members (kind: class, method, property, parameter, index, query, xdata, storage…), routine labels, or body'),
  unified: z.string().describe('Unified diff of the two texts; empty when they are the same'),
});

/** Package files: streaming upload, versions, manifests, coverage, diffs, download (P5, P6, P17). */
export const packageRoutes: FastifyPluginAsyncZod<RouteOptions> = async (app, { deps, artifacts, maxUploadBytes }) => {
  acceptRawBodies(app);

  app.put(
    '/releases/:name/packages/:channel/files/:fileName',
    {
      ...rawUpload,
      schema: {
        tags: ['packages'],
        summary: 'Upload a package file (raw bytes, Content-Type application/octet-stream) as the channel’s next version',
        consumes: ['application/octet-stream'],
        body: z.unknown().describe('The file’s bytes, streamed'),
        params: z.object({ name: nameParam, channel: identifier, fileName: z.string().min(1).max(255) }),
        querystring: appOnly,
        response: { 200: uploadedSchema, 201: uploadedSchema, ...errorResponses },
      },
    },
    async (req, reply) => {
      const body = rawBody(req, reply);
      if (!body) return reply;
      const result = await uploadPackage(deps, artifacts, actorOf(req), req.query.app, req.params.name, {
        channel: req.params.channel,
        fileName: req.params.fileName,
        body,
        maxBytes: maxUploadBytes,
      });
      return reply.code(result.reused ? 200 : 201).send(result);
    },
  );

  app.get(
    '/releases/:name/packages',
    {
      schema: {
        tags: ['packages'],
        summary: 'Every package version of a release, per channel',
        params: z.object({ name: nameParam }),
        querystring: appOnly,
        response: { 200: z.object({ items: z.array(packageSchema) }), ...errorResponses },
      },
    },
    async (req) => ({ items: await listPackages(deps, { app: req.query.app, name: req.params.name }) }),
  );

  app.get(
    '/releases/:name/packages/:channel/diff',
    {
      schema: {
        tags: ['packages'],
        summary:
          'Added, removed and changed elements between two versions (default: the latest and the one before), or against the previous production release',
        params: z.object({ name: nameParam, channel: identifier }),
        querystring: z
          .object({
            app: appQuery,
            from: intParam(1).optional(),
            to: intParam(1).optional(),
            against: z.literal('production').optional(),
          })
          .strict(),
        response: { 200: diffSchema, ...errorResponses },
      },
    },
    async (req) =>
      diffPackages(
        deps,
        { app: req.query.app, name: req.params.name, channel: req.params.channel },
        {
          from: req.query.from,
          to: req.query.to,
          againstProduction: req.query.against === 'production',
        },
      ),
  );

  app.get(
    '/releases/:name/packages/:channel/element-diff',
    {
      schema: {
        tags: ['packages'],
        summary:
          'What changed in one class, routine or other element of a release file between two versions (default: the latest and the one before), or against the previous production release: members and a unified diff',
        params: z.object({ name: nameParam, channel: identifier }),
        querystring: z
          .object({
            app: appQuery,
            element: elementKeyParam,
            from: intParam(1).optional(),
            to: intParam(1).optional(),
            against: z.literal('production').optional(),
          })
          .strict(),
        response: { 200: elementDiffSchema, ...errorResponses },
      },
    },
    async (req) =>
      diffElement(deps, artifacts, { app: req.query.app, name: req.params.name, channel: req.params.channel }, req.query.element, {
        from: req.query.from,
        to: req.query.to,
        againstProduction: req.query.against === 'production',
      }),
  );

  app.get(
    '/releases/:name/packages/:channel/:version/elements/:element',
    {
      schema: {
        tags: ['packages'],
        summary: 'The text of one element of a release file (read from the stored file up to the element’s end)',
        params: z.object({ name: nameParam, channel: identifier, version: versionParam, element: elementKeyParam }),
        querystring: appOnly,
        response: { 200: elementSchema, ...errorResponses },
      },
    },
    async (req) =>
      showElement(
        deps,
        artifacts,
        { app: req.query.app, name: req.params.name, channel: req.params.channel, version: asVersion(req.params.version) },
        req.params.element,
      ),
  );

  app.get(
    '/releases/:name/packages/:channel/:version',
    {
      schema: {
        tags: ['packages'],
        summary: 'A package version with its manifest (elements of a release file, entries of an archive)',
        params: z.object({ name: nameParam, channel: identifier, version: versionParam }),
        querystring: appOnly,
        response: { 200: packageSchema.extend({ manifest: z.unknown() }), ...errorResponses },
      },
    },
    async (req) =>
      showPackage(deps, { app: req.query.app, name: req.params.name, channel: req.params.channel, version: asVersion(req.params.version) }),
  );

  app.get(
    '/releases/:name/packages/:channel/:version/coverage',
    {
      schema: {
        tags: ['packages'],
        summary:
          'Per work item, the declared elements missing from the channel’s package (the newest file of each kind, as of the version); and the elements no item declares',
        params: z.object({ name: nameParam, channel: identifier, version: versionParam }),
        querystring: appOnly,
        response: { 200: coverageSchema, ...errorResponses },
      },
    },
    async (req) =>
      showCoverage(deps, {
        app: req.query.app,
        name: req.params.name,
        channel: req.params.channel,
        version: asVersion(req.params.version),
      }),
  );

  app.get(
    '/releases/:name/packages/:channel/:version/file',
    {
      config: { signInRedirect: true },
      schema: {
        tags: ['packages'],
        summary: 'Download the file; its checksum is verified first and sent as X-Checksum-SHA256',
        produces: ['application/octet-stream', 'application/problem+json'],
        params: z.object({ name: nameParam, channel: identifier, version: versionParam }),
        querystring: appOnly,
        response: { 200: z.string().meta({ format: 'binary' }).describe('The file’s bytes'), ...errorResponses },
      },
    },
    async (req, reply) => {
      const f = await openPackageFile(deps, artifacts, {
        app: req.query.app,
        name: req.params.name,
        channel: req.params.channel,
        version: asVersion(req.params.version),
      });
      const safeName = f.fileName.replace(/[^A-Za-z0-9._-]/g, '_');
      reply
        .type('application/octet-stream')
        .header('content-length', String(f.size))
        .header('x-checksum-sha256', f.sha256)
        .header('content-disposition', `attachment; filename="${safeName}"`);
      // A stream is piped as is; the 200 schema only documents the bytes.
      return reply.send(f.stream as unknown as string);
    },
  );
};
