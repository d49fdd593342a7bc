import type { Command } from 'commander';

export function registerMail(_program: Command): void {
  // commands of this resource are registered here
}
