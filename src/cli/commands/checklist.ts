import type { Command } from 'commander';

export function registerChecklist(_program: Command): void {
  // commands of this resource are registered here
}
