import { Worker } from 'node:worker_threads';

/**
 * The worker's source. It keeps one SHA-256 per session, fed from slices of a
 * shared memory, and answers each message in order: `{ id }` once a slice is
 * hashed (its memory may then be reused), `{ id, digest }` at the end.
 */
const SOURCE = `
const { parentPort } = require('node:worker_threads');
const { createHash } = require('node:crypto');
const sessions = new Map();
parentPort.on('message', (m) => {
  try {
    if (m.op === 'start') {
      sessions.set(m.id, { hash: createHash('sha256'), memory: Buffer.from(m.memory) });
      return;
    }
    const s = sessions.get(m.id);
    if (!s) throw new Error('no hashing session ' + m.id);
    if (m.op === 'update') {
      s.hash.update(s.memory.subarray(m.offset, m.offset + m.length));
      parentPort.postMessage({ id: m.id });
    } else if (m.op === 'digest') {
      sessions.delete(m.id);
      parentPort.postMessage({ id: m.id, digest: s.hash.digest('hex') });
    } else if (m.op === 'drop') {
      sessions.delete(m.id);
    }
  } catch (err) {
    parentPort.postMessage({ id: m.id, error: String(err && err.message || err) });
  }
});
`;

type Reply = { id: number; digest?: string; error?: string };
type Waiter = { resolve: (digest: string | undefined) => void; reject: (err: Error) => void };

/**
 * One thread that computes SHA-256 for uploads, so hashing runs beside the
 * thread that receives the bytes instead of after it. Started on first use,
 * never keeps the process alive, and started again if it ever dies.
 */
class HashThread {
  private worker: Worker | null = null;
  private nextId = 1;
  private readonly waiting = new Map<number, Waiter[]>();

  session(memory: SharedArrayBuffer): HashSession {
    const id = this.nextId++;
    this.waiting.set(id, []);
    this.post({ op: 'start', id, memory });
    this.worker?.ref(); // an upload in progress keeps the process alive, as its file would

    return new HashSession(this, id);
  }

  /** Sends a message whose answer resolves the returned promise (answers come in order per session). */
  ask(message: { op: string; id: number; offset?: number; length?: number }): Promise<string | undefined> {
    return new Promise((resolve, reject) => {
      const queue = this.waiting.get(message.id);
      if (!queue) return reject(new Error('the hashing session is closed'));
      queue.push({ resolve, reject });
      this.post(message);
    });
  }

  close(id: number): void {
    if (this.waiting.delete(id)) this.post({ op: 'drop', id });
    this.idleCheck();
  }

  /** With no session open, the thread does not keep the process alive. */
  private idleCheck(): void {
    if (this.waiting.size === 0) this.worker?.unref();
  }

  private post(message: object): void {
    this.started().postMessage(message);
  }

  private started(): Worker {
    if (this.worker) return this.worker;
    const worker = new Worker(SOURCE, { eval: true });
    worker.unref();
    worker.on('message', (reply: Reply) => {
      const waiter = this.waiting.get(reply.id)?.shift();
      if (!waiter) return;
      if (reply.error !== undefined) waiter.reject(new Error(`hashing failed: ${reply.error}`));
      else waiter.resolve(reply.digest);
      if (reply.digest !== undefined || reply.error !== undefined) {
        this.waiting.delete(reply.id);
        this.idleCheck();
      }
    });
    const fail = (err: Error) => {
      if (this.worker !== worker) return;
      this.worker = null;
      for (const queue of this.waiting.values()) for (const w of queue) w.reject(err);
      this.waiting.clear();
    };
    worker.on('error', fail);
    worker.on('exit', (code) => fail(new Error(`the hashing thread stopped (exit code ${code})`)));
    this.worker = worker;
    return worker;
  }
}

/** The SHA-256 of one upload, fed with slices of a shared memory. */
export class HashSession {
  constructor(
    private readonly thread: HashThread,
    private readonly id: number,
  ) {}

  /** Resolves once the slice is hashed, after which its memory may be overwritten. */
  async update(offset: number, length: number): Promise<void> {
    await this.thread.ask({ op: 'update', id: this.id, offset, length });
  }

  async digest(): Promise<string> {
    const digest = await this.thread.ask({ op: 'digest', id: this.id });
    if (digest === undefined) throw new Error('the hashing thread gave no digest');
    return digest;
  }

  /** Drops the session without a digest (a failed upload). */
  close(): void {
    this.thread.close(this.id);
  }
}

const thread = new HashThread();

/** A new hashing session over `memory`, computed on the shared hashing thread. */
export function hashSession(memory: SharedArrayBuffer): HashSession {
  return thread.session(memory);
}
