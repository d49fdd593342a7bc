import type { Command } from 'commander';

export function registerContacts(_program: Command): void {
  // commands of this resource are registered here
}
