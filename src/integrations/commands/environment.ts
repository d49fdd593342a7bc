/**
 * The environment a command runs with: a minimal base taken from relman's own
 * environment plus what the step gives. relman's environment as a whole never
 * reaches a command — it holds the secret key, database URLs and the like.
 */

/** The only variables a command inherits from relman. */
export const INHERITED_VARIABLES = ['PATH', 'HOME', 'LANG', 'TZ'] as const;
/** The search path when relman itself has none. */
export const DEFAULT_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

export function commandEnvironment(
  extra: Record<string, string> | undefined,
  own: NodeJS.ProcessEnv = process.env,
): Record<string, string> {
  const env: Record<string, string> = {};
  for (const name of INHERITED_VARIABLES) {
    const value = own[name];
    if (value !== undefined) env[name] = value;
  }
  env.PATH ??= DEFAULT_PATH;
  return { ...env, ...extra };
}

export type StepEnvironmentBase = {
  release: string;
  environment: string;
  channel: string;
  packages: { channel: string; version: number; path: string; sha256: string }[];
};

/** `web-app` → `WEB_APP`: upper case, anything but letters and digits an underscore. */
export const channelVariablePart = (channel: string): string => channel.toUpperCase().replace(/[^A-Z0-9]/g, '_');

/**
 * What a deployment step tells its command: `RELMAN_RELEASE`, `RELMAN_ENVIRONMENT`,
 * `RELMAN_CHANNEL`, and for each package `RELMAN_PACKAGE_<CHANNEL>_PATH`, `_VERSION`
 * and `_SHA256`. Two packages whose channels give the same name are refused rather
 * than one silently hiding the other.
 */
export function stepEnvironment(base: StepEnvironmentBase): Record<string, string> {
  const env: Record<string, string> = {
    RELMAN_RELEASE: base.release,
    RELMAN_ENVIRONMENT: base.environment,
    RELMAN_CHANNEL: base.channel,
  };
  const seen = new Map<string, string>();
  for (const pkg of base.packages) {
    const part = channelVariablePart(pkg.channel);
    const earlier = seen.get(part);
    if (earlier !== undefined) {
      throw new Error(
        `packages of channels "${earlier}" and "${pkg.channel}" would both be RELMAN_PACKAGE_${part}_*; a step can be given only one`,
      );
    }
    seen.set(part, pkg.channel);
    env[`RELMAN_PACKAGE_${part}_PATH`] = pkg.path;
    env[`RELMAN_PACKAGE_${part}_VERSION`] = String(pkg.version);
    env[`RELMAN_PACKAGE_${part}_SHA256`] = pkg.sha256;
  }
  return env;
}
