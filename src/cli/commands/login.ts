import type { Command } from 'commander';
import { configPath, readCliConfig, writeCliConfig } from '../config-file.js';
import { CliError, EXIT } from '../errors.js';
import { readLine, readSecret } from '../io.js';
import { ApiClient } from '../client.js';
import { keyValues } from '../output.js';
import { client, globals, show } from './remote.js';

type SessionBody = { user: { username: string; roles: string[] }; csrfToken: string | null };

/** Signs in with a password, creates an API token with that session and stores URL + token. */
async function passwordLogin(url: string, username: string, password: string): Promise<string> {
  let res: Response;
  try {
    res = await fetch(`${url}/api/v1/session`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username, password }),
    });
  } catch (err) {
    throw new CliError(`cannot reach relman at ${url}: ${(err as Error).message}`, EXIT.unreachable);
  }
  if (res.status === 401) throw new CliError('wrong username or password', EXIT.auth);
  if (!res.ok) throw new CliError(`sign-in failed: HTTP ${res.status} ${await res.text()}`, EXIT.failure);
  const body = (await res.json()) as SessionBody;
  const cookie = (res.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
  const host = (await import('node:os')).hostname();
  const tokenRes = await fetch(`${url}/api/v1/tokens`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', cookie, 'x-csrf-token': body.csrfToken ?? '' },
    body: JSON.stringify({ name: `cli@${host}` }),
  });
  if (!tokenRes.ok) throw new CliError(`could not create an API token: HTTP ${tokenRes.status} ${await tokenRes.text()}`, EXIT.failure);
  const token = ((await tokenRes.json()) as { token: string }).token;
  await fetch(`${url}/api/v1/session`, { method: 'DELETE', headers: { cookie, 'x-csrf-token': body.csrfToken ?? '' } }).catch(
    () => undefined,
  );
  return token;
}

export function registerLogin(program: Command): void {
  program
    .command('login')
    .description('sign in and store the server URL and an API token in your config')
    .option('--username <name>', 'user to sign in as')
    .option('--with-token', 'read an existing API token from stdin instead of a password')
    .action(async (opts: { username?: string; withToken?: boolean }, cmd: Command) => {
      const g = globals(cmd);
      const url = (g.url ?? process.env.RELMAN_URL ?? readCliConfig().url ?? 'http://127.0.0.1:8080').replace(/\/+$/, '');
      let token: string;
      let username: string;
      if (opts.withToken) {
        token = (await readSecret('API token: ')).trim();
        const me = await new ApiClient(url, token).request<SessionBody>('GET', '/session');
        username = me.user.username;
      } else {
        username = opts.username ?? (process.stdin.isTTY ? (await readLine('username: ')).trim() : '');
        if (username === '') throw new CliError('give --username', EXIT.usage);
        token = await passwordLogin(url, username, await readSecret(`password for ${username}: `));
      }
      writeCliConfig({ ...readCliConfig(), url, token, user: username });
      show(cmd, { url, user: username, config: configPath() }, () => `signed in to ${url} as ${username}; token stored in ${configPath()}`);
    });

  program
    .command('logout')
    .description('forget the stored token')
    .action((_o: unknown, cmd: Command) => {
      const c = readCliConfig();
      delete c.token;
      delete c.user;
      writeCliConfig(c);
      show(cmd, { ok: true }, () => 'signed out (token removed from the config; revoke it with `relman token revoke` if it leaked)');
    });

  program
    .command('whoami')
    .description('who the CLI acts as')
    .action(async (_o: unknown, cmd: Command) => {
      const me = await client(cmd).request<SessionBody>('GET', '/session');
      show(cmd, me.user, () => keyValues(me.user, ['username', 'displayName', 'email', 'roles']));
    });
}
