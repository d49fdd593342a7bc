import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { cliCrew, json, ok } from '../support/cli-crew.js';
import { cleanEnv, runCli } from '../support/cli-process.js';
import { dialects } from '../support/databases.js';

const ADMIN_PASSWORD = 'admin-password-for-targets-cli';
const KEY_BODY = randomBytes(96).toString('base64');
const PRIVATE_KEY = `-----BEGIN OPENSSH PRIVATE KEY-----\n${KEY_BODY}\n-----END OPENSSH PRIVATE KEY-----\n`;
const PASSWORD = `pw-${randomBytes(12).toString('hex')}`;
const FINGERPRINT = `SHA256:${randomBytes(32).toString('base64').slice(0, 43)}`;

describe.each(dialects)('relman target commands against a running server ($name)', ({ name: dialect }) => {
  const crew = cliCrew({
    dialect,
    name: 'targets-cli',
    adminPassword: ADMIN_PASSWORD,
    users: [
      ['admin1', 'admin'],
      ['lead1', 'technical-lead'],
    ],
    env: () => ({ RELMAN_SECRET_KEY: randomBytes(32).toString('base64') }),
  });
  const as = crew.as;
  /** As admin1 with `input` on stdin (crew.as closes stdin empty). */
  const withStdin = async (args: string[], input: string) => {
    const token = ok(await runCli(['token', 'create', '--user', 'admin1'], crew.server.localEnv)).trim();
    return runCli(
      args,
      cleanEnv({ XDG_CONFIG_HOME: path.join(crew.tmp, 'config'), RELMAN_URL: crew.server.url, RELMAN_TOKEN: token }),
      input,
    );
  };

  it('sets a target with a key file, changes it keeping the key, shows it without the secret, removes it', async () => {
    const keyFile = path.join(crew.tmp, 'id_ed25519');
    writeFileSync(keyFile, PRIVATE_KEY, { mode: 0o600 });
    const commandFile = path.join(crew.tmp, 'commands.json');
    writeFileSync(commandFile, JSON.stringify([{ name: 'unpack', argv: ['tar', '-xzf', 'package.tgz'], timeoutSeconds: 600 }]));

    const base = ['target', 'set', 'production', 'web', '--host', 'drop.example.org', '--user', 'deploy', '--directory', '/srv/drop'];
    expect(
      ok(await as('admin1', [...base, '--fingerprint', FINGERPRINT, '--private-key-file', keyFile, '--command-file', commandFile])),
    ).toBe('created deployment target production/web (version 1)\n');
    const shown = json(await as('admin1', ['target', 'show', 'production', 'web', '--json']));
    expect(shown).toMatchObject({
      sftp: { host: 'drop.example.org', port: 22, username: 'deploy', directory: '/srv/drop', hostKeyFingerprint: FINGERPRINT },
      secret: { kind: 'private-key', setBy: 'admin1' },
      commands: [{ name: 'unpack' }],
      version: 1,
    });
    expect(JSON.stringify(shown)).not.toContain(KEY_BODY);

    // Only the port changes: the rest, the key and the commands stay.
    expect(ok(await as('admin1', ['target', 'set', 'production', 'web', '--port', '2222']))).toBe(
      'changed deployment target production/web (version 2)\n',
    );
    const human = ok(await as('admin1', ['target', 'show', 'production', 'web']));
    expect(human).toContain('deploy@drop.example.org:2222/srv/drop');
    expect(human).toContain('private-key (set by admin1');
    expect(human).toContain('1. unpack: tar -xzf package.tgz (timeout 600 s)');
    expect(human).not.toContain(KEY_BODY);

    // A password from stdin replaces the key; --clear-secret removes it.
    expect(ok(await withStdin(['target', 'set', 'production', 'web', '--password-stdin', '--json'], `${PASSWORD}\n`))).not.toContain(
      PASSWORD,
    );
    expect(json(await as('admin1', ['target', 'show', 'production', 'web', '--json'])).secret.kind).toBe('password');
    expect(json(await as('admin1', ['target', 'set', 'production', 'web', '--clear-secret', '--json'])).secret).toBeNull();

    const listed = ok(await as('admin1', ['target', 'list']));
    expect(listed.split('\n')[0]).toMatch(/^ENVIRONMENT\s+CHANNEL\s+SFTP\s+SECRET\s+COMMANDS\s+VERSION$/);
    expect(listed).toContain('production');

    expect(ok(await as('admin1', ['target', 'remove', 'production', 'web']))).toBe('removed deployment target production/web\n');
    expect((await as('admin1', ['target', 'show', 'production', 'web'])).code).toBe(5);
    expect(crew.server.log()).not.toContain(KEY_BODY);
    expect(crew.server.log()).not.toContain(PASSWORD);
  });

  it('refuses what is not allowed or not valid, with the field named', async () => {
    expect((await as('lead1', ['target', 'list'])).code).toBe(4);
    const unknown = await as('admin1', [
      'target',
      'set',
      'production',
      'pigeon',
      '--host',
      'h',
      '--user',
      'u',
      '--directory',
      '/d',
      '--fingerprint',
      FINGERPRINT,
    ]);
    expect(unknown.code).toBe(7);
    expect(unknown.stderr).toContain('channel');
    const partial = await as('admin1', ['target', 'set', 'production', 'database', '--host', 'h']);
    expect(partial.code).toBe(2);
    expect(partial.stderr).toContain('--user, --directory, --fingerprint');
    const both = await as('admin1', ['target', 'set', 'production', 'database', '--password-stdin', '--clear-secret']);
    expect(both.code).toBe(2);
  });
});
