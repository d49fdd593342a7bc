/** Sizes and rates in decimal units (1 MB = 1 000 000 bytes), as transfer tools print them. */
export function formatBytes(n: number): string {
  if (n < 1000) return `${n} B`;
  const units = ['kB', 'MB', 'GB', 'TB'];
  let v = n;
  let u = -1;
  while (v >= 1000 && u < units.length - 1) {
    v /= 1000;
    u++;
  }
  return `${v.toFixed(v < 10 ? 2 : v < 100 ? 1 : 0)} ${units[u] ?? 'B'}`;
}

export const mbPerSecond = (bytes: number, ms: number): number => (ms > 0 ? bytes / 1e6 / (ms / 1000) : 0);

function formatEta(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return '--:--';
  const s = Math.round(seconds);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const mmss = `${String(m).padStart(2, '0')}:${String(s % 60).padStart(2, '0')}`;
  return h > 0 ? `${h}:${mmss}` : mmss;
}

export type ProgressOptions = {
  /** What is moving, e.g. `uploading CFIS001.xml`. */
  label: string;
  total: number;
  stream?: NodeJS.WriteStream;
  /** Draw a bar (a terminal) or print plain lines (a log); default: whether the stream is a terminal. */
  tty?: boolean;
  /** Nothing is printed at all. */
  quiet?: boolean;
  now?: () => number;
};

export type Progress = {
  /** `bytes` more have gone through. */
  add(bytes: number): void;
  /**
   * Every byte is sent and the other side is still working (an upload's file
   * being checked): says so, instead of a bar that sits at 100 %.
   */
  sent(waitingFor: string): void;
  /** The transfer is complete; prints the summary line. */
  done(verb: string): void;
  /** The transfer stopped; a bar on screen is ended with a newline. */
  fail(): void;
};

const BAR = 24;
const REDRAW_MS = 100;
const LINE_MS = 5000;

/**
 * A progress report on stderr: on a terminal a bar redrawn at most ten times a
 * second (percent, bytes, MB/s, ETA); otherwise a plain line every 10 % or
 * every 5 s, so logs of a CI job stay short and readable.
 */
export function progress(opts: ProgressOptions): Progress {
  const out = opts.stream ?? process.stderr;
  const tty = opts.tty ?? out.isTTY === true;
  const now = opts.now ?? (() => performance.now());
  const start = now();
  let bytes = 0;
  let lastDraw = -Infinity;
  let lastLine = start;
  let lastDecile = 0;
  let drawn = false;
  let sentAt: number | undefined;

  const pct = () => (opts.total > 0 ? Math.min(100, (bytes / opts.total) * 100) : 100);
  const stats = (t: number) => {
    const rate = mbPerSecond(bytes, t - start);
    const eta = rate > 0 ? (opts.total - bytes) / 1e6 / rate : Infinity;
    return { rate, eta };
  };

  const draw = (t: number) => {
    const { rate, eta } = stats(t);
    const filled = Math.round((pct() / 100) * BAR);
    const bar = `${'#'.repeat(filled)}${'-'.repeat(BAR - filled)}`;
    const line = `${opts.label} [${bar}] ${pct().toFixed(0).padStart(3)}% ${formatBytes(bytes)}/${formatBytes(opts.total)} ${rate.toFixed(1)} MB/s ETA ${formatEta(eta)}`;
    out.write(`\r${line}\x1b[K`);
    drawn = true;
    lastDraw = t;
  };

  const plain = (t: number) => {
    const { rate, eta } = stats(t);
    out.write(
      `${opts.label}: ${pct().toFixed(0)}% (${formatBytes(bytes)} of ${formatBytes(opts.total)}, ${rate.toFixed(1)} MB/s, ETA ${formatEta(eta)})\n`,
    );
    lastLine = t;
  };

  return {
    add(n) {
      bytes += n;
      if (opts.quiet || sentAt !== undefined) return;
      const t = now();
      if (tty) {
        if (t - lastDraw >= REDRAW_MS) draw(t);
        return;
      }
      const decile = opts.total > 0 ? Math.floor((bytes / opts.total) * 10) : 10;
      // The 100 % line is the summary printed by done().
      if (decile >= 10) return;
      if (decile > lastDecile || t - lastLine >= LINE_MS) {
        lastDecile = Math.max(decile, lastDecile);
        plain(t);
      }
    },
    sent(waitingFor) {
      if (opts.quiet || sentAt !== undefined) return;
      const t = now();
      sentAt = t;
      const what = `${opts.label}: sent ${formatBytes(bytes)} in ${((t - start) / 1000).toFixed(2)} s (${mbPerSecond(bytes, t - start).toFixed(1)} MB/s); ${waitingFor}…`;
      if (tty) out.write(`\r${what}\x1b[K`);
      else out.write(`${what}\n`);
      drawn = true;
    },
    done(verb) {
      if (opts.quiet) return;
      const t = now();
      if (tty) {
        if (sentAt === undefined) draw(t);
        out.write('\n');
      }
      const secs = (t - start) / 1000;
      out.write(`${verb} ${formatBytes(bytes)} in ${secs.toFixed(2)} s (${mbPerSecond(bytes, t - start).toFixed(1)} MB/s)\n`);
    },
    fail() {
      if (!opts.quiet && tty && drawn) out.write('\n');
    },
  };
}

/** Passes the chunks of `source` through, reporting each to `onChunk`, and the end to `onEnd`. */
export async function* counted(
  source: AsyncIterable<Uint8Array>,
  onChunk: (bytes: number) => void,
  onEnd: () => void = () => undefined,
): AsyncGenerator<Uint8Array> {
  for await (const chunk of source) {
    onChunk(chunk.byteLength);
    yield chunk;
  }
  onEnd();
}
