import type { Command } from 'commander';

export function registerCalendar(_program: Command): void {
  // commands of this resource are registered here
}
