import path from 'node:path';
import { loadSettings } from '../../config/settings.js';
import { buildApp } from '../../http/app.js';
import { FileArtifactStore } from '../../integrations/storage/artifact-store.js';
import { mailTransportFrom } from '../../integrations/mail/from-settings.js';
import { checklistSweepJob } from '../../jobs/checklist-sweep.js';
import { outboxDeliveryJob } from '../../jobs/outbox-delivery.js';
import { JobRunner } from '../../jobs/runner.js';
import { DeploymentExecutor } from '../../services/deployments/executor.js';
import { openFromSettings } from '../../runtime.js';
import { bootstrap } from '../../services/bootstrap.js';
import { printBootstrapReport } from '../bootstrap-report.js';

/** `relman serve`: loaded only when the command runs (it brings the server, the database drivers and the jobs). */
export async function runServe(): Promise<void> {
  const settings = loadSettings();
  const deps = { ...openFromSettings(settings), publicUrl: settings.publicUrl };
  const report = await bootstrap(deps, { templateFile: settings.templateFile, adminPassword: settings.adminPassword });
  printBootstrapReport(report);
  if (settings.trustProxy === true) {
    process.stderr.write(
      'relman: RELMAN_TRUST_PROXY=true believes every X-Forwarded-For hop, so a client can pick the address sign-in throttling counts; ' +
        'list your proxies instead (RELMAN_TRUST_PROXY=10.0.0.5,10.1.0.0/16)\n',
    );
  }
  const artifacts = new FileArtifactStore(path.join(settings.dataDir, 'artifacts'));
  const leftovers = await artifacts.cleanTemp();
  if (leftovers > 0) process.stderr.write(`relman: removed ${leftovers} unfinished upload(s)\n`);
  const app = await buildApp({
    artifacts,
    maxUploadBytes: settings.maxUploadBytes,
    deps,
    logLevel: settings.logLevel,
    cookieSecure: settings.cookieSecure,
    sessionTtlHours: settings.sessionTtlHours,
    trustProxy: settings.trustProxy,
    timeouts: {
      headersMs: settings.headersTimeoutMs,
      bodyMs: settings.requestTimeoutMs,
      uploadStallMs: settings.uploadStallTimeoutMs,
      idleMs: settings.idleTimeoutMs,
    },
    metricsToken: settings.metricsToken,
  });
  const transport = mailTransportFrom(settings);
  const runner = new JobRunner(
    deps,
    [outboxDeliveryJob({ transport, from: settings.mailFrom, intervalMs: settings.jobsIntervalMs }), checklistSweepJob],
    { tickMs: settings.jobsIntervalMs, onError: (job, err) => app.log.warn({ err, job }, 'background job failed') },
  );
  // Deployment steps run with the jobs: a process with RELMAN_JOBS=false takes none.
  const executor = new DeploymentExecutor(deps, {
    artifacts,
    tickMs: Math.min(1000, settings.jobsIntervalMs),
    leaseMs: settings.deploymentLeaseMs,
    onError: (what, err) => app.log.warn({ err, what }, 'deployment executor'),
  });
  let closing = false;
  const shutdown = (signal: string) => {
    if (closing) return;
    closing = true;
    app.log.info({ signal }, 'shutting down');
    void executor
      .stop()
      .then(() => runner.stop())
      .then(() => app.close())
      .then(() => transport.close())
      .then(() => deps.database.close())
      .finally(() => process.exit(0));
  };
  process.on('SIGINT', () => shutdown('SIGINT'));
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  const address = await app.listen({ host: settings.host, port: settings.port });
  process.stderr.write(`relman: listening on ${address} (${deps.database.dialect})\n`);
  if (settings.jobs) {
    runner.start();
    executor.start();
  }
  const mailTo = settings.smtp ? `SMTP ${settings.smtp.host}:${settings.smtp.port}` : `the maildir in ${settings.dataDir}`;
  process.stderr.write(`relman: mail goes to ${mailTo}; background jobs ${settings.jobs ? 'on' : 'off'}\n`);
}
