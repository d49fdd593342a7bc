import type { Command } from 'commander';
import { loadSettings } from '../../config/settings.js';
import { buildApp } from '../../http/app.js';
import { openFromSettings } from '../../runtime.js';
import { bootstrap } from '../../services/bootstrap.js';

export function registerServe(program: Command): void {
  program
    .command('serve')
    .description('start the relman server (migrates and bootstraps the database first)')
    .action(async () => {
      const settings = loadSettings();
      const deps = openFromSettings(settings);
      const report = await bootstrap(deps, { templateFile: settings.templateFile, adminPassword: settings.adminPassword });
      for (const m of report.migrations) process.stderr.write(`relman: ${m}\n`);
      if (report.templatePublished) process.stderr.write(`relman: published process template ${report.templatePublished}\n`);
      if (report.applicationCreated) process.stderr.write(`relman: created application ${report.applicationCreated}\n`);
      if (report.admin) {
        const pw = report.admin.generated ? report.admin.password : '(from RELMAN_ADMIN_PASSWORD)';
        process.stderr.write(
          `\nrelman: first administrator created — username: ${report.admin.username}  password: ${pw}\n` +
            'relman: this password is shown once; change it after signing in (relman user passwd).\n\n',
        );
      }
      const app = await buildApp({
        deps,
        logLevel: settings.logLevel,
        cookieSecure: settings.cookieSecure,
        sessionTtlHours: settings.sessionTtlHours,
        trustProxy: settings.trustProxy,
      });
      let closing = false;
      const shutdown = (signal: string) => {
        if (closing) return;
        closing = true;
        app.log.info({ signal }, 'shutting down');
        void app
          .close()
          .then(() => deps.database.close())
          .finally(() => process.exit(0));
      };
      process.on('SIGINT', () => shutdown('SIGINT'));
      process.on('SIGTERM', () => shutdown('SIGTERM'));
      const address = await app.listen({ host: settings.host, port: settings.port });
      process.stderr.write(`relman: listening on ${address} (${deps.database.dialect})\n`);
    });
}
