/**
 * A setting (environment or settings file) that cannot be used. In a module
 * of its own, so the CLI can recognise it without loading the settings
 * reader (and zod) on every start.
 */
export class SettingsError extends Error {
  override readonly name = 'SettingsError';
}
