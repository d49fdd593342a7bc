import type { Command } from 'commander';

export function registerServe(program: Command): void {
  program
    .command('serve')
    .description('start the relman server (migrates and bootstraps the database first)')
    .action(async () => {
      const { runServe } = await import('./serve-run.js');
      await runServe();
    });
}
