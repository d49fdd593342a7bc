import { readCliConfig } from './config-file.js';
import { CliError, EXIT } from './errors.js';

export type GlobalOptions = { url?: string; token?: string; json?: boolean; app?: string };

type Query = Record<string, string | number | boolean | undefined>;

type ProblemBody = {
  title?: string;
  detail?: string;
  status?: number;
  errors?: { in?: string; path: string; message: string }[];
  /** A refused lifecycle transition: every unmet condition. */
  unmet?: string[];
};

/**
 * API fields whose CLI option is spelt otherwise: a problem is shown with the
 * option the user typed (`--date`, not `plannedDate`). Query parameters are
 * named as their options already.
 */
const OPTION_FOR_FIELD: Record<string, string> = {
  plannedDate: '--date',
  blackoutOverrideReason: '--blackout-override-reason',
  helpdeskRef: '--ref',
  helpdeskRefs: '--ref',
  version: '--expect-version',
  attestations: '--attest',
  mailId: '--mail',
  elements: '--element',
  oneOff: '--one-off',
  resolution: '--reason',
};

function optionFor(problem: { in?: string; path: string }): string {
  if (problem.in === 'querystring' || problem.in === 'params') return problem.path;
  const field = /^[A-Za-z]+/.exec(problem.path)?.[0] ?? '';
  return OPTION_FOR_FIELD[field] ?? problem.path;
}

function exitFor(status: number): number {
  if (status === 401 || status === 403) return EXIT.auth;
  if (status === 404) return EXIT.notFound;
  if (status === 409) return EXIT.conflict;
  if (status === 400 || status === 422) return EXIT.invalid;
  return EXIT.failure;
}

export class ApiClient {
  constructor(
    readonly baseUrl: string,
    private readonly token: string | undefined,
  ) {}

  static from(opts: GlobalOptions, env: NodeJS.ProcessEnv = process.env): ApiClient {
    const config = readCliConfig();
    const url = opts.url ?? env.RELMAN_URL ?? config.url ?? 'http://127.0.0.1:8080';
    const token = opts.token ?? env.RELMAN_TOKEN ?? config.token;
    return new ApiClient(url.replace(/\/+$/, ''), token);
  }

  private url(path: string, query?: Query): URL {
    const url = new URL(`${this.baseUrl}/api/v1${path}`);
    for (const [k, v] of Object.entries(query ?? {})) if (v !== undefined) url.searchParams.set(k, String(v));
    return url;
  }

  /**
   * Sends a request and returns the response when it is a success; a failure
   * becomes a CliError with the problem's title, detail and errors, and the
   * exit code its status maps to.
   */
  async fetchOk(
    method: string,
    path: string,
    init: { query?: Query; headers?: Record<string, string>; body?: RequestInit['body'] } = {},
  ): Promise<Response> {
    const headers: Record<string, string> = { accept: 'application/json', ...init.headers };
    if (this.token) headers.authorization = `Bearer ${this.token}`;
    let res: Response;
    try {
      res = await fetch(this.url(path, init.query), {
        method,
        headers,
        body: init.body ?? null,
      });
    } catch (err) {
      const cause = (err as { cause?: { code?: string; message?: string } }).cause;
      throw new CliError(
        `cannot reach relman at ${this.baseUrl}: ${cause?.code ?? cause?.message ?? (err as Error).message}`,
        EXIT.unreachable,
      );
    }
    if (!res.ok) throw this.problem(res.status, await res.text().catch(() => ''));
    return res;
  }

  private problem(status: number, text: string): CliError {
    let p: ProblemBody;
    let document: unknown;
    try {
      document = JSON.parse(text) as unknown;
      p = typeof document === 'object' && document !== null ? document : {};
    } catch {
      document = undefined;
      p = { detail: text.slice(0, 500) };
    }
    const hint = status === 401 && !this.token ? ' (run `relman login`, or set RELMAN_TOKEN)' : '';
    const unmet = Array.isArray(p.unmet) ? p.unmet.map(String) : [];
    // A refused transition's detail ends with its unmet conditions; they are listed one a line below instead.
    const joined = unmet.join('; ');
    let detail = unmet.length > 0 && p.detail?.endsWith(joined) ? p.detail.slice(0, -joined.length).trimEnd() : (p.detail ?? '');
    // A malformed request's detail repeats its errors in the API's field names; they are listed below in the CLI's.
    if ((p.errors ?? []).length > 0) detail = detail.replace(/^(the request \w+ is invalid):.*$/s, '$1');
    return new CliError(
      `${p.title ?? `HTTP ${status}`}: ${detail}${hint}`,
      exitFor(status),
      [...(p.errors ?? []).map((e) => `${optionFor(e)}: ${e.message}`), ...unmet],
      document ?? { title: `HTTP ${status}`, status, detail: p.detail ?? '' },
    );
  }

  async request<T>(method: string, path: string, body?: unknown, query?: Query): Promise<T> {
    const res = await this.fetchOk(method, path, {
      query,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      body: body === undefined ? null : JSON.stringify(body),
    });
    const text = await res.text();
    if (res.status === 204 || text === '') return undefined as T;
    return JSON.parse(text) as T;
  }

  /**
   * Sends `body` as the raw request body (application/octet-stream), streamed
   * as it is read, never held in memory, with node:http(s) rather than fetch
   * (see stream-upload.ts); the JSON answer is returned.
   */
  async requestStream<T>(method: string, path: string, body: AsyncIterable<Uint8Array>, size: number, query?: Query): Promise<T> {
    const headers: Record<string, string> = {
      accept: 'application/json',
      'content-type': 'application/octet-stream',
      'content-length': String(size),
    };
    if (this.token) headers.authorization = `Bearer ${this.token}`;
    // node:http(s) and the stream plumbing are loaded for uploads only.
    const { NoAnswerError, sendStream } = await import('./stream-upload.js');
    let answer: { status: number; text: string };
    try {
      answer = await sendStream(this.url(path, query), method, headers, body);
    } catch (err) {
      if (err instanceof NoAnswerError) throw new CliError(`cannot reach relman at ${this.baseUrl}: ${err.code}`, EXIT.unreachable);
      throw err;
    }
    if (answer.status < 200 || answer.status >= 300) throw this.problem(answer.status, answer.text);
    return (answer.text === '' ? undefined : JSON.parse(answer.text)) as T;
  }
}
