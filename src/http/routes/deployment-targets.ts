import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { getTarget, listTargets, removeTarget, setTarget } from '../../services/deployments/targets.js';
import type { RouteOptions } from '../app.js';
import { actorOf } from '../auth.js';
import { appQuery, errorResponses, identifier, INT_MAX, int, versionField } from '../schemas/common.js';

const sftpSchema = z.object({
  host: z.string(),
  port: z.number().int(),
  username: z.string(),
  directory: z.string(),
  hostKeyFingerprint: z.string().describe('The server’s host key, SHA256:…'),
});

const commandSchema = z.object({
  name: z.string(),
  argv: z.array(z.string()).describe('The program and its arguments; run without a shell'),
  cwd: z.string().optional(),
  env: z.record(z.string(), z.string()).optional(),
  timeoutSeconds: z.number().int(),
});

const targetSchema = z.object({
  application: z.string(),
  environment: z.string(),
  channel: z.string(),
  sftp: sftpSchema.nullable().describe('The SFTP drop location; null when the target has none'),
  secret: z
    .object({ kind: z.enum(['private-key', 'password']), setBy: z.string(), setAt: z.string() })
    .nullable()
    .describe('Which secret is stored, by whom and when; the secret itself is never shown'),
  commands: z.array(commandSchema),
  createdBy: z.string(),
  createdAt: z.string(),
  updatedBy: z.string(),
  updatedAt: z.string(),
  version: z.number().int(),
});

const place = z.object({ environment: identifier, channel: identifier });
const appOnly = z.object({ app: appQuery }).strict();

const body = z
  .object({
    sftp: z
      .object({
        host: z.string().max(253),
        // Bounded to 32 bits here; the service says which range a port must be in.
        port: int(-INT_MAX).describe('1-65535'),
        username: z.string().max(255),
        directory: z.string().max(1024),
        hostKeyFingerprint: z.string().max(100),
      })
      .strict()
      .nullable()
      .optional()
      .describe('The SFTP drop location; absent or null: none (and no secret is kept)'),
    secret: z
      .union([
        z.object({ privateKey: z.string().max(16_384).describe('An OpenSSH or PEM private key block') }).strict(),
        z.object({ password: z.string().max(1024) }).strict(),
      ])
      .nullable()
      .optional()
      .describe('Write-only. Absent: keep the stored secret; null: clear it. Storing one needs RELMAN_SECRET_KEY on the server'),
    commands: z
      .array(
        z
          .object({
            name: z.string().max(100),
            argv: z.array(z.string().max(4096)).max(200),
            cwd: z.string().max(1024).optional(),
            env: z.record(z.string().max(200), z.string().max(4096)).optional(),
            timeoutSeconds: int(-INT_MAX).describe('1-86400'),
          })
          .strict(),
      )
      .max(50)
      .optional()
      .describe('The command steps, in order; absent: none'),
    version: versionField,
  })
  .strict();

/** Deployment targets: where a release's packages go, per environment and channel (administrators only). */
export const deploymentTargetRoutes: FastifyPluginAsyncZod<RouteOptions> = async (app, { deps }) => {
  app.get(
    '/targets',
    {
      schema: {
        tags: ['deployments'],
        summary: 'The application’s deployment targets (administrators only); secrets are never shown',
        querystring: appOnly,
        response: { 200: z.array(targetSchema), ...errorResponses },
      },
    },
    async (req) => listTargets(deps, actorOf(req), req.query.app),
  );

  app.get(
    '/targets/:environment/:channel',
    {
      schema: {
        tags: ['deployments'],
        summary: 'The deployment target of an environment and channel (administrators only)',
        params: place,
        querystring: appOnly,
        response: { 200: targetSchema, ...errorResponses },
      },
    },
    async (req) => getTarget(deps, actorOf(req), { app: req.query.app, ...req.params }),
  );

  app.put(
    '/targets/:environment/:channel',
    {
      schema: {
        tags: ['deployments'],
        summary: 'Create or replace the deployment target of an environment and channel (replacing needs the version read)',
        params: place,
        querystring: appOnly,
        body,
        response: { 200: targetSchema, ...errorResponses },
      },
    },
    async (req) => setTarget(deps, actorOf(req), { app: req.query.app, ...req.params }, req.body),
  );

  app.delete(
    '/targets/:environment/:channel',
    {
      schema: {
        tags: ['deployments'],
        summary: 'Remove the deployment target of an environment and channel',
        params: place,
        querystring: appOnly,
        response: { 204: z.null().describe('Removed'), ...errorResponses },
      },
    },
    async (req, reply) => {
      await removeTarget(deps, actorOf(req), { app: req.query.app, ...req.params });
      return reply.code(204).send(null);
    },
  );
};
