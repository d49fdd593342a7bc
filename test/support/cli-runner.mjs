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
// process too (the next command gets a fresh one). As bin/relman.js, a
// command that succeeded is finished once nothing it started keeps the event
// loop busy, and what it printed until then is its output; one that failed is
// finished at once, what it left running prints nothing more, and if that is
// still running shortly after, this process ends instead of running it.
// Output written when no command is running is sent back as `stray` with the
// next answer, and the caller fails loudly instead of losing it.
import { Buffer } from 'node:buffer';
import process from 'node:process';
import { Readable, Writable } from 'node:stream';
import { setImmediate, setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath, URL } from 'node:url';

const BIN = fileURLToPath(new URL('../../bin/relman.js', import.meta.url));
const { main } = await import(new URL('../../dist/cli/program.js', import.meta.url).href);

const realExit = process.exit.bind(process);

/** Writes that came when no command was running (or after its answer): reported with the next answer. */
let stray = '';

/**
 * A stdout or stderr that keeps what is written. Once closed, later writes
 * count as stray, or are dropped: those of a command that failed, as its
 * process would have exited.
 */
function sink(name) {
  const chunks = [];
  let state = 'open';
  const stream = new Writable({
    write(chunk, encoding, callback) {
      const bytes = typeof chunk === 'string' ? Buffer.from(chunk, encoding) : Buffer.from(chunk);
      if (state === 'open') chunks.push(bytes);
      else if (state === 'stray') stray += `[${name}] ${bytes.toString('utf8')}`;
      callback();
    },
  });
  return {
    stream,
    text: () => Buffer.concat(chunks).toString('utf8'),
    close: (then = 'stray') => {
      state = then;
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

/** Whether more handles, requests or timers keep the event loop alive than `baseline` (types with counts). */
function busy(baseline) {
  const count = (list) => list.reduce((m, t) => m.set(t, (m.get(t) ?? 0) + 1), new Map());
  const before = count(baseline);
  return [...count(process.getActiveResourcesInfo())].some(([type, n]) => n > (before.get(type) ?? 0));
}

/** The command running now: its output so far. */
let current;

/** Ends the current command's output (later writes: `late`) and what it answers. */
function finish(code, late = 'stray') {
  const run = current;
  if (!run) return undefined;
  current = undefined;
  run.out.close(late);
  run.err.close(late);
  idleStreams();
  return { code, stdout: run.out.text(), stderr: run.err.text() };
}

/** Sends the answer; `ends`: this process takes no more commands. */
function send(result, ends) {
  const msg = { ...result, stray, ends };
  stray = '';
  return new Promise((resolve) => process.send(msg, () => resolve()));
}

/** What Node itself would do: print the error and exit 1; the caller gets a fresh process next time. */
function crash(err) {
  if (!current) {
    stray += `[crash] ${err?.stack ?? String(err)}\n`;
    return;
  }
  current.err.stream.write(`${err?.stack ?? String(err)}\n`);
  void send(finish(1, 'dropped'), true).then(() => realExit(1));
}
process.on('uncaughtException', crash);
process.on('unhandledRejection', crash);

process.exit = (code) => {
  const c = code ?? process.exitCode ?? 0;
  const result = finish(typeof c === 'number' ? c : Number(c) || 0, 'dropped');
  if (result) void send(result, true).then(() => realExit(0));
  // A real process stops here; this one unwinds and is not used again.
  throw new Error('process.exit');
};

process.on('disconnect', () => realExit(0));

process.on('message', (msg) => {
  void (async () => {
    const out = sink('stdout');
    const err = sink('stderr');
    current = { out, err };
    const before = process.getActiveResourcesInfo();
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
    if (current === undefined) return; // process.exit was called: answered there.
    if (code === 0) {
      // bin/relman.js then ends once nothing is left to do: what the command still does and prints
      // belongs to its run (the caller's time limit still applies).
      await setImmediate();
      while (busy(before)) await sleep(2);
      await send(finish(code), false);
      return;
    }
    // On a failure bin/relman.js exits at once: nothing the command left running prints any more.
    // If something is still running shortly after, this process ends too instead of running it.
    const result = finish(code, 'dropped');
    for (const deadline = Date.now() + 200; busy(before) && Date.now() < deadline;) await sleep(2);
    const ends = busy(before);
    await send(result, ends);
    if (ends) realExit(0);
  })();
});

idleStreams();
process.send({ ready: true });
