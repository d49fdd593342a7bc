import { randomBytes } from 'node:crypto';
import { mkdir, open, readdir, readFile, rename } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { buildMessage, type DeliveryReport, type MailTransport, type OutgoingMail } from './transport.js';

/**
 * Writes each message into a Maildir (`tmp/`, `new/`, `cur/`): the message is
 * written to `tmp/`, flushed to disk, renamed into `new/` and the folder
 * flushed, so a reader never sees half a message. Used when no SMTP server
 * is configured: mail stays on this machine, readable by any mail client
 * that opens a Maildir, and through relman's own mail routes.
 */
export class MaildirTransport implements MailTransport {
  readonly name = 'maildir' as const;
  #ready: Promise<void> | undefined;
  #seq = 0;

  constructor(readonly dir: string) {}

  #prepare(): Promise<void> {
    this.#ready ??= (async () => {
      for (const sub of ['tmp', 'new', 'cur']) await mkdir(path.join(this.dir, sub), { recursive: true });
    })();
    return this.#ready;
  }

  async send(mail: OutgoingMail): Promise<DeliveryReport> {
    await this.#prepare();
    const bytes = await buildMessage(mail);
    const name = this.#uniqueName();
    const tmp = path.join(this.dir, 'tmp', name);
    const file = await open(tmp, 'wx', 0o600);
    try {
      await file.writeFile(bytes);
      await file.sync();
    } finally {
      await file.close();
    }
    await rename(tmp, path.join(this.dir, 'new', name));
    await syncDir(path.join(this.dir, 'new'));
    return { accepted: [...mail.to, ...mail.cc], rejected: [] };
  }

  /** `<seconds>.M<micro>P<pid>Q<n>R<random>.<host>`, the Maildir convention for unique names. */
  #uniqueName(): string {
    const now = Date.now();
    const host = os.hostname().replace(/[/:]/g, '_') || 'localhost';
    return `${Math.floor(now / 1000)}.M${(now % 1000) * 1000}P${process.pid}Q${++this.#seq}R${randomBytes(6).toString('hex')}.${host}`;
  }

  close(): Promise<void> {
    return Promise.resolve();
  }
}

async function syncDir(dir: string): Promise<void> {
  let handle;
  try {
    handle = await open(dir, 'r');
    await handle.sync();
  } catch {
    // Some file systems cannot fsync a directory; the rename is still atomic.
  } finally {
    await handle?.close();
  }
}

export type MaildirMessage = { file: string; raw: string };

/** The delivered messages (`new/` and `cur/`), oldest first by name. */
export async function readMaildir(dir: string): Promise<MaildirMessage[]> {
  const out: MaildirMessage[] = [];
  for (const sub of ['cur', 'new']) {
    let names: string[];
    try {
      names = await readdir(path.join(dir, sub));
    } catch {
      continue;
    }
    for (const n of names.sort()) out.push({ file: path.join(sub, n), raw: await readFile(path.join(dir, sub, n), 'utf8') });
  }
  return out;
}
