// One relman CLI process that runs command lines one after the other, so a
// suite pays Node's start-up and the loading of the built CLI (dist/) once
// instead of once per command. Started by test/support/cli-process.ts, which
// sends it one command at a time over the IPC channel:
//   { args, env, cwd, input }  ->  { code, stdout, stderr, stray, ends }
//
// Each command sees what a process of its own would: process.argv of
// `node bin/relman.js …`, exactly the environment it was given (TZ included),
// the working folder, a stdin pipe holding `input` and then closed, and fresh
// stdout/stderr that are not terminals; its exit code is what bin/relman.js
// would exit with. A command that calls process.exit, or crashes, ends this
// process too (the next command gets a fresh one). Output written after a
// command has finished is sent back as `stray` with the next answer: a real
// process would have printed it, so the caller fails loudly instead of
// losing it.
import { Buffer } from 'node:buffer';
import process from 'node:process';
import { Readable, Writable } from 'node:stream';
import { setImmediate } from 'node:timers/promises';
import { fileURLToPath, URL } from 'node:url';

const BIN = fileURLToPath(new URL('../../bin/relman.js', import.meta.url));
const { main } = await import(new URL('../../dist/cli/program.js', import.meta.url).href);

const realExit = process.exit.bind(process);

/** Writes that came when no command was running (or after its answer): reported with the next answer. */
let stray = '';

/** A stdout or stderr that keeps what is written; after `close()`, writes count as stray. */
function sink(name) {
  const chunks = [];
  let open = true;
  const stream = new Writable({
    write(chunk, encoding, callback) {
      const bytes = typeof chunk === 'string' ? Buffer.from(chunk, encoding) : Buffer.from(chunk);
      if (open) chunks.push(bytes);
      else stray += `[${name}] ${bytes.toString('utf8')}`;
      callback();
    },
  });
  return {
    stream,
    text: () => Buffer.concat(chunks).toString('utf8'),
    close: () => {
      open = false;
    },
  };
}

function setStream(name, stream) {
  Object.defineProperty(process, name, { configurable: true, enumerable: true, get: () => stream });
}

/** Between commands: stray output is kept, stdin is an empty, closed pipe. */
function idleStreams() {
  const out = sink('stdout');
  const err = sink('stderr');
  out.close();
  err.close();
  setStream('stdout', out.stream);
  setStream('stderr', err.stream);
  setStream('stdin', Readable.from([]));
}

/** Replaces the whole environment in place (process.env itself stays, so TZ and friends take effect). */
function setEnv(env) {
  for (const key of Object.keys(process.env)) delete process.env[key];
  for (const [key, value] of Object.entries(env)) if (value !== undefined && value !== null) process.env[key] = String(value);
}

let current;

function answer(code, ends = false) {
  const run = current;
  if (!run) return Promise.resolve();
  current = undefined;
  run.out.close();
  run.err.close();
  const msg = { code, stdout: run.out.text(), stderr: run.err.text(), stray, ends };
  stray = '';
  idleStreams();
  return new Promise((resolve) => process.send(msg, () => resolve()));
}

/** What Node itself would do: print the error and exit 1; the caller gets a fresh process next time. */
function crash(err) {
  if (!current) {
    stray += `[crash] ${err?.stack ?? String(err)}\n`;
    return;
  }
  current.err.stream.write(`${err?.stack ?? String(err)}\n`);
  void answer(1, true).then(() => realExit(1));
}
process.on('uncaughtException', crash);
process.on('unhandledRejection', crash);

process.exit = (code) => {
  const c = code ?? process.exitCode ?? 0;
  void answer(typeof c === 'number' ? c : Number(c) || 0, true).then(() => realExit(0));
  // A real process stops here; this one unwinds and is not used again.
  throw new Error('process.exit');
};

process.on('disconnect', () => realExit(0));

process.on('message', (msg) => {
  void (async () => {
    const out = sink('stdout');
    const err = sink('stderr');
    current = { out, err };
    setEnv(msg.env);
    process.chdir(msg.cwd);
    process.argv = [process.execPath, BIN, ...msg.args];
    process.exitCode = undefined;
    const stdin = new Readable({ read() {} });
    if (msg.input !== '') stdin.push(Buffer.from(msg.input, 'utf8'));
    stdin.push(null);
    setStream('stdin', stdin);
    setStream('stdout', out.stream);
    setStream('stderr', err.stream);
    let code;
    try {
      code = await main(process.argv);
    } catch (e) {
      crash(e);
      return;
    }
    // What the command left for the event loop's next turn still belongs to it.
    await setImmediate();
    await answer(code);
  })();
});

idleStreams();
process.send({ ready: true });
