import { randomBytes } from 'node:crypto';
import { Writable } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/http/app.js';
import { SecretBox } from '../../src/integrations/secrets/secret-box.js';
import { SYSTEM_ACTOR } from '../../src/services/actor.js';
import { openTargetSecret, setTarget } from '../../src/services/deployments/targets.js';
import { ConflictError } from '../../src/domain/errors.js';
import { dialects } from '../support/databases.js';
import { harness, userWith, type Harness } from '../support/harness.js';
import { caller, expectJson, expectProblem, type Call } from '../support/http.js';
import { rejectsWith } from '../support/service-fixtures.js';

/** Every line the app logs. */
class LogCapture extends Writable {
  readonly lines: string[] = [];
  override _write(chunk: Buffer, _enc: BufferEncoding, done: () => void): void {
    this.lines.push(chunk.toString('utf8'));
    done();
  }
  get text(): string {
    return this.lines.join('');
  }
}

const KEY_BODY = randomBytes(96).toString('base64');
const PRIVATE_KEY = `-----BEGIN OPENSSH PRIVATE KEY-----\n${KEY_BODY}\n-----END OPENSSH PRIVATE KEY-----\n`;
const PASSWORD = `pw-${randomBytes(12).toString('hex')}`;
const FINGERPRINT = `SHA256:${randomBytes(32).toString('base64').slice(0, 43)}`;
const SFTP = { host: 'drop.example.org', port: 2222, username: 'deploy', directory: '/srv/relman/drop', hostKeyFingerprint: FINGERPRINT };
const COMMANDS = [{ name: 'unpack', argv: ['tar', '-xzf', 'package.tgz'], env: { TARGET_DIR: '/srv/app' }, timeoutSeconds: 600 }];
const T = '/api/v1/targets';

describe.each(dialects)('deployment targets on $name', ({ name }) => {
  let h: Harness;
  let app: FastifyInstance;
  let log: LogCapture;
  let admin: Call;
  let lead: Call;

  /** Everything stored of targets and their audit events, as text, to look for a secret in. */
  async function storedText(): Promise<{ rows: string; audit: string }> {
    const db = h.deps.database.kysely;
    const rows = await db.selectFrom('deployment_targets').selectAll().execute();
    const audit = await db.selectFrom('audit_events').select(['action', 'before_json', 'after_json']).execute();
    return { rows: JSON.stringify(rows), audit: JSON.stringify(audit) };
  }

  beforeAll(async () => {
    h = await harness(name, undefined, { secretKey: randomBytes(32) });
    log = new LogCapture();
    app = await buildApp({ deps: h.deps, logLevel: 'trace', logStream: log });
    admin = caller(app, (await userWith(h.deps, ['admin'])).token);
    lead = caller(app, (await userWith(h.deps, ['technical-lead'])).token);
  });
  afterAll(async () => {
    await app?.close();
    await h?.close();
  });

  it('stores a private key sealed only: never in the view, the row, the audit events or the log', async () => {
    const created = expectJson(
      await admin('PUT', `${T}/production/web`, { sftp: SFTP, secret: { privateKey: PRIVATE_KEY }, commands: COMMANDS }),
      200,
    );
    expect(created).toMatchObject({
      environment: 'production',
      channel: 'web',
      sftp: SFTP,
      commands: COMMANDS,
      secret: { kind: 'private-key', setBy: expect.any(String), setAt: expect.any(String) },
      version: 1,
    });
    expect(JSON.stringify(created)).not.toContain(KEY_BODY);
    const shown = expectJson(await admin('GET', `${T}/production/web`), 200);
    expect(shown).toEqual(created);
    const listed = expectJson(await admin('GET', T), 200);
    expect(listed).toEqual([created]);

    const { rows, audit } = await storedText();
    expect(rows).not.toContain(KEY_BODY);
    expect(rows).not.toContain('PRIVATE KEY');
    const row = await h.deps.database.kysely.selectFrom('deployment_targets').selectAll().executeTakeFirstOrThrow();
    expect(row.secret_sealed).toMatch(new RegExp(`^v1\\.${h.deps.secrets?.keyId}\\.`));
    expect(audit).not.toContain(KEY_BODY);
    expect(audit).not.toContain(row.secret_sealed);
    const event = await h.deps.database.kysely
      .selectFrom('audit_events')
      .selectAll()
      .where('action', '=', 'deployment-target.set')
      .executeTakeFirstOrThrow();
    expect(JSON.parse(String(event.after_json))).toMatchObject({ secret: { kind: 'private-key' }, secretChanged: true });
    expect(log.text).not.toContain(KEY_BODY);
    expect(log.lines.length).toBeGreaterThan(0);

    expect(await openTargetSecret(h.deps, { environment: 'production', channel: 'web' })).toEqual({
      kind: 'private-key',
      value: PRIVATE_KEY,
    });
  });

  it('keeps the secret on a replace without one; a wrong or missing version is 409 stale-version', async () => {
    const before = expectJson(await admin('GET', `${T}/production/web`), 200);
    expectProblem(await admin('PUT', `${T}/production/web`, { sftp: SFTP, version: before.version + 5 }), 409, 'stale-version');
    expectProblem(await admin('PUT', `${T}/production/web`, { sftp: SFTP }), 409, 'stale-version');
    const moved = { ...SFTP, directory: '/srv/relman/other' };
    const replaced = expectJson(await admin('PUT', `${T}/production/web`, { sftp: moved, commands: [], version: before.version }), 200);
    expect(replaced).toMatchObject({ sftp: moved, commands: [], secret: before.secret, version: before.version + 1 });
    expect(await openTargetSecret(h.deps, { environment: 'production', channel: 'web' })).toEqual({
      kind: 'private-key',
      value: PRIVATE_KEY,
    });
    const last = await h.deps.database.kysely.selectFrom('audit_events').selectAll().orderBy('seq', 'desc').executeTakeFirstOrThrow();
    expect(JSON.parse(String(last.after_json)).secretChanged).toBeUndefined();
    expectProblem(await admin('PUT', `${T}/production/web`, { sftp: moved, version: before.version }), 409, 'stale-version');

    // A password replaces the key; null clears it; both are recorded as secret changes, without the value.
    const pw = expectJson(
      await admin('PUT', `${T}/production/web`, { sftp: moved, secret: { password: PASSWORD }, version: replaced.version }),
      200,
    );
    expect(pw.secret).toMatchObject({ kind: 'password' });
    expect(await openTargetSecret(h.deps, { environment: 'production', channel: 'web' })).toEqual({ kind: 'password', value: PASSWORD });
    const cleared = expectJson(await admin('PUT', `${T}/production/web`, { sftp: moved, secret: null, version: pw.version }), 200);
    expect(cleared.secret).toBeNull();
    expect(await openTargetSecret(h.deps, { environment: 'production', channel: 'web' })).toBeNull();
    const { rows, audit } = await storedText();
    for (const text of [rows, audit, log.text]) expect(text).not.toContain(PASSWORD);
    expect(audit.match(/secretChanged/g)?.length).toBe(3);
  });

  it('validates against the template and the field rules, with field paths', async () => {
    const unknown = expectProblem(await admin('PUT', `${T}/production/carrier-pigeon`, { sftp: SFTP }), 422, 'validation');
    expect(unknown.errors?.map((e) => e.path)).toEqual(['channel']);
    expect(unknown.detail + JSON.stringify(unknown.errors)).toContain('one of: database, web');
    const bad = expectProblem(
      await admin('PUT', `${T}/development/web`, {
        sftp: { host: 'not a host', port: 0, username: 'a b', directory: '/srv/../etc', hostKeyFingerprint: 'MD5:aa' },
        secret: { privateKey: `not a key ${KEY_BODY}` },
        commands: [
          { name: 'x', argv: [], timeoutSeconds: 0 },
          { name: 'y', argv: ['', 'run'], env: { 'lower-case': 'v' }, timeoutSeconds: 90_000 },
        ],
      }),
      422,
      'validation',
    );
    expect(bad.errors?.map((e) => e.path).sort()).toEqual(
      [
        'sftp.host',
        'sftp.port',
        'sftp.username',
        'sftp.directory',
        'sftp.hostKeyFingerprint',
        'secret.privateKey',
        'commands.0.argv',
        'commands.0.timeoutSeconds',
        'commands.1.argv.0',
        'commands.1.timeoutSeconds',
        'commands.1.env.lower-case',
      ].sort(),
    );
    expect(JSON.stringify(bad)).not.toContain(KEY_BODY);
    const noSftp = expectProblem(await admin('PUT', `${T}/development/web`, { secret: { password: PASSWORD } }), 422, 'validation');
    expect(noSftp.errors?.map((e) => e.path)).toEqual(['secret']);
  });

  it('is for administrators only', async () => {
    expectProblem(await lead('GET', T), 403, 'forbidden');
    expectProblem(await lead('GET', `${T}/production/web`), 403, 'forbidden');
    expectProblem(await lead('PUT', `${T}/development/database`, { sftp: SFTP }), 403, 'forbidden');
    expectProblem(await lead('DELETE', `${T}/production/web`), 403, 'forbidden');
    expectProblem(await admin('GET', `${T}/development/database`), 404, 'not-found');
    expectJson(await admin('PUT', `${T}/development/database`, { commands: COMMANDS }), 200);
    expect((await admin('DELETE', `${T}/development/database`)).statusCode).toBe(204);
    expectProblem(await admin('DELETE', `${T}/development/database`), 404, 'not-found');
    const removed = await h.deps.database.kysely
      .selectFrom('audit_events')
      .selectAll()
      .where('action', '=', 'deployment-target.remove')
      .executeTakeFirstOrThrow();
    expect(removed.subject_id).toBe('cms-net/development/database');
  });

  it('without RELMAN_SECRET_KEY refuses to store a secret but stores a target without one', async () => {
    const keyless = { ...h.deps, secrets: null };
    const ref = { environment: 'acceptance-test', channel: 'database' };
    const refused = await rejectsWith(setTarget(keyless, SYSTEM_ACTOR, ref, { sftp: SFTP, secret: { password: PASSWORD } }), ConflictError);
    expect(refused.code).toBe('secret-key-missing');
    expect(refused.message).toContain('RELMAN_SECRET_KEY must be set');
    const plain = await setTarget(keyless, SYSTEM_ACTOR, ref, { sftp: SFTP });
    expect(plain.secret).toBeNull();

    // Over HTTP too.
    const keylessApp = await buildApp({ deps: keyless, logLevel: 'silent' });
    try {
      const token = (await userWith(h.deps, ['admin'])).token;
      const call = caller(keylessApp, token);
      const p = expectProblem(
        await call('PUT', `${T}/acceptance-test/database`, { sftp: SFTP, secret: { privateKey: PRIVATE_KEY }, version: plain.version }),
        409,
        'secret-key-missing',
      );
      expect(p.detail).toContain('RELMAN_SECRET_KEY must be set');
      expectJson(await call('PUT', `${T}/acceptance-test/database`, { sftp: SFTP, commands: COMMANDS, version: plain.version }), 200);
    } finally {
      await keylessApp.close();
    }

    // A secret sealed under one key is refused under another, naming both.
    await setTarget(h.deps, SYSTEM_ACTOR, ref, { sftp: SFTP, secret: { password: PASSWORD }, version: plain.version + 1 });
    const otherBox = new SecretBox(randomBytes(32));
    const wrong = await rejectsWith(openTargetSecret({ ...h.deps, secrets: otherBox }, ref), ConflictError);
    expect(wrong.message).toContain(`sealed with key ${h.deps.secrets?.keyId}, RELMAN_SECRET_KEY is ${otherBox.keyId}`);
    expect((await rejectsWith(openTargetSecret(keyless, ref), ConflictError)).code).toBe('secret-key-missing');
  });
});
