import { randomUUID } from 'node:crypto';
import os from 'node:os';
import path from 'node:path';
import fastifyCookie from '@fastify/cookie';
import fastifySwagger from '@fastify/swagger';
import type { Writable } from 'node:stream';
import Fastify, { type FastifyInstance } from 'fastify';
import { jsonSchemaTransform, validatorCompiler, type ZodTypeProvider } from 'fastify-type-provider-zod';
import { RELMAN_VERSION } from '../version.js';
import type { ServiceDeps } from '../services/deps.js';
import { FileArtifactStore, type ArtifactStore } from '../integrations/storage/artifact-store.js';
import { packageRoutes } from './routes/packages.js';
import { registerAuth } from './auth.js';
import { registerMetrics } from './metrics.js';
import { registerNulGuard } from './nul-guard.js';
import { clientErrorHandler } from './client-error.js';
import { requestLogSerializer } from './log-redaction.js';
import { OneLineRequestLog } from './request-log.js';
import { DEFAULT_TIMEOUTS, registerRequestTimeouts, serverTimeoutOptions, type RequestTimeouts } from './request-timeouts.js';
import { SECURITY_HEADERS } from './security-headers.js';
import { registerWebUi } from './web-ui.js';
import { responseSerializerCompiler } from './serializer.js';
import { problem, sendProblem, toProblem } from './problem.js';
import { applicationRoutes } from './routes/applications.js';
import { auditRoutes } from './routes/audit.js';
import { healthRoutes } from './routes/health.js';
import { releaseLifecycleRoutes } from './routes/release-lifecycle.js';
import { releaseRoutes } from './routes/releases.js';
import { sessionRoutes } from './routes/session.js';
import { templateRoutes } from './routes/templates.js';
import { tokenRoutes } from './routes/tokens.js';
import { userRoutes } from './routes/users.js';
import { workItemRoutes } from './routes/work-items.js';
import { calendarRoutes } from './routes/calendar.js';
import { checklistRoutes } from './routes/checklist.js';
import { contactsRoutes } from './routes/contacts.js';
import { deploymentTargetRoutes } from './routes/deployment-targets.js';
import { deploymentRoutes } from './routes/deployments.js';
import { mailRoutes } from './routes/mail.js';
import { myWorkRoutes } from './routes/my-work.js';
import { reportRoutes } from './routes/reports.js';

export type AppOptions = {
  deps: ServiceDeps;
  logLevel?: string | undefined;
  cookieSecure?: boolean | undefined;
  sessionTtlHours?: number | undefined;
  /** false: the socket address is the client; a list: these proxies' X-Forwarded-For is believed; true: every hop's. */
  trustProxy?: boolean | string[] | undefined;
  /** Check every response against its zod schema (slower; a mismatch is a 500). */
  validateResponses?: boolean | undefined;
  /** Where package files are stored; a temporary folder when absent (tests). */
  artifacts?: ArtifactStore | undefined;
  /** Largest package file accepted, in bytes. */
  maxUploadBytes?: number | undefined;
  /** Header, body, upload-stall and keep-alive timeouts; defaults in DEFAULT_TIMEOUTS. */
  timeouts?: Partial<RequestTimeouts> | undefined;
  /** Bearer token GET /metrics requires; absent: /metrics is not served. */
  metricsToken?: string | undefined;
  /** Where the JSON log lines go (default: stdout). */
  logStream?: Writable | undefined;
  /** A file the JSON log lines are appended to instead of stdout, written the same way (benchmarks: /dev/null). */
  logFile?: string | undefined;
  /** The built web application (default dist/web); false: serve the API only. */
  webDir?: string | false | undefined;
};

export type RouteOptions = Required<Pick<AppOptions, 'cookieSecure' | 'sessionTtlHours'>> & {
  deps: ServiceDeps;
  artifacts: ArtifactStore;
  maxUploadBytes: number;
};

/** 8 GiB: a release file or WAR far beyond what a release carries. */
export const DEFAULT_MAX_UPLOAD_BYTES = 8 * 1024 ** 3;

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

export async function buildApp(options: AppOptions): Promise<FastifyInstance> {
  const level = options.logLevel ?? 'info';
  const timeouts: RequestTimeouts = { ...DEFAULT_TIMEOUTS, ...options.timeouts };
  const app = Fastify({
    logger:
      level === 'silent'
        ? false
        : {
            level,
            serializers: { req: requestLogSerializer },
            ...(options.logStream ? { stream: options.logStream } : options.logFile ? { file: options.logFile } : {}),
          },
    logController: new OneLineRequestLog(),
    ...serverTimeoutOptions(timeouts),
    clientErrorHandler: clientErrorHandler(timeouts.headersMs),
    trustProxy: options.trustProxy ?? false,
    bodyLimit: 1024 * 1024,
    // Take the caller's request id when it is sane, so logs join up across systems.
    genReqId: (req) => {
      const given = req.headers['x-request-id'];
      return typeof given === 'string' && REQUEST_ID.test(given) ? given : randomUUID();
    },
    routerOptions: { ignoreTrailingSlash: true, maxParamLength: 200 },
    // Malformed URLs (bad %-escapes, over-long path parameters) are refused by
    // the router before any route runs; answer them as problems too.
    frameworkErrors: (err, req, reply) => {
      // The onSend hook does not run for these early replies.
      reply.headers({ ...SECURITY_HEADERS, 'x-request-id': req.id });
      void sendProblem(reply, toProblem(err, req));
    },
  }).withTypeProvider<ZodTypeProvider>();

  // The API speaks JSON only: a text/plain body is an unsupported media type (415),
  // not a string for the schema to reject.
  app.removeContentTypeParser('text/plain');

  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(responseSerializerCompiler(options.validateResponses ?? false));
  app.addHook('onSend', async (req, reply) => {
    // A page answer sets its own policy (with its style nonce) and caching.
    for (const [name, value] of Object.entries(SECURITY_HEADERS)) if (!reply.hasHeader(name)) reply.header(name, value);
    reply.header('x-request-id', req.id);
  });
  registerRequestTimeouts(app, timeouts);
  registerNulGuard(app);
  app.setErrorHandler((err, req, reply) => {
    const p = toProblem(err, req);
    if (p.status >= 500) req.log.error({ err }, 'request failed');
    return sendProblem(reply, p);
  });
  app.setNotFoundHandler((req, reply) =>
    sendProblem(reply, problem(404, 'not-found', `no route ${req.method} ${req.url.split('?')[0] ?? ''}`, { requestId: String(req.id) })),
  );

  await app.register(fastifyCookie);
  await app.register(fastifySwagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'relman API',
        version: RELMAN_VERSION,
        description: 'Release and change management: releases, work items, process templates, users, audit.',
      },
      components: {
        securitySchemes: {
          bearer: { type: 'http', scheme: 'bearer', description: 'An API token (relman token create, or POST /api/v1/tokens)' },
          session: {
            type: 'apiKey',
            in: 'cookie',
            name: 'relman_session',
            description: 'Browser session; writes need the X-CSRF-Token header',
          },
        },
      },
      security: [{ bearer: [] }, { session: [] }],
    },
    transform: jsonSchemaTransform,
  });
  registerAuth(app, options.deps);
  registerMetrics(app, options.metricsToken);

  const routeOptions: RouteOptions = {
    deps: options.deps,
    cookieSecure: options.cookieSecure ?? false,
    sessionTtlHours: options.sessionTtlHours ?? 12,
    artifacts: options.artifacts ?? new FileArtifactStore(path.join(os.tmpdir(), `relman-artifacts-${process.pid}`)),
    maxUploadBytes: options.maxUploadBytes ?? DEFAULT_MAX_UPLOAD_BYTES,
  };
  await app.register(healthRoutes, routeOptions);
  if (options.webDir !== false) registerWebUi(app, options.webDir);
  await app.register(
    async (api) => {
      api.get('/openapi.json', { config: { public: true }, schema: { hide: true } }, () => app.swagger());
      await api.register(sessionRoutes, routeOptions);
      await api.register(tokenRoutes, routeOptions);
      await api.register(userRoutes, routeOptions);
      await api.register(applicationRoutes, routeOptions);
      await api.register(templateRoutes, routeOptions);
      await api.register(releaseRoutes, routeOptions);
      await api.register(releaseLifecycleRoutes, routeOptions);
      await api.register(packageRoutes, routeOptions);
      await api.register(workItemRoutes, routeOptions);
      await api.register(auditRoutes, routeOptions);
      await api.register(calendarRoutes, routeOptions);
      await api.register(checklistRoutes, routeOptions);
      await api.register(contactsRoutes, routeOptions);
      await api.register(mailRoutes, routeOptions);
      await api.register(myWorkRoutes, routeOptions);
      await api.register(reportRoutes, routeOptions);
      await api.register(deploymentTargetRoutes, routeOptions);
      await api.register(deploymentRoutes, routeOptions);
    },
    { prefix: '/api/v1' },
  );
  return app;
}
