import type { BootstrapReport } from '../services/bootstrap.js';

/** Tells the operator what a start-up changed; the generated admin password appears only here. */
export function printBootstrapReport(report: BootstrapReport): void {
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
}
