import { readCliConfig } from './config-file.js';
import { CliError, EXIT } from './errors.js';

export type GlobalOptions = { url?: string; token?: string; json?: boolean; app?: string };

type ProblemBody = {
  title?: string;
  detail?: string;
  status?: number;
  errors?: { path: string; message: string }[];
  /** A refused lifecycle transition: every unmet condition. */
  unmet?: string[];
};

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

  async request<T>(
    method: string,
    path: string,
    body?: unknown,
    query?: Record<string, string | number | boolean | undefined>,
  ): Promise<T> {
    const url = new URL(`${this.baseUrl}/api/v1${path}`);
    for (const [k, v] of Object.entries(query ?? {})) if (v !== undefined) url.searchParams.set(k, String(v));
    const headers: Record<string, string> = { accept: 'application/json' };
    if (this.token) headers.authorization = `Bearer ${this.token}`;
    if (body !== undefined) headers['content-type'] = 'application/json';
    let res: Response;
    try {
      res = await fetch(url, { method, headers, body: body === undefined ? null : JSON.stringify(body) });
    } catch (err) {
      const cause = (err as { cause?: { code?: string; message?: string } }).cause;
      throw new CliError(
        `cannot reach relman at ${this.baseUrl}: ${cause?.code ?? cause?.message ?? (err as Error).message}`,
        EXIT.unreachable,
      );
    }
    const text = await res.text();
    if (!res.ok) {
      let p: ProblemBody;
      try {
        p = JSON.parse(text) as ProblemBody;
      } catch {
        p = { detail: text.slice(0, 500) };
      }
      const hint = res.status === 401 && !this.token ? ' (run `relman login`, or set RELMAN_TOKEN)' : '';
      const unmet = Array.isArray(p.unmet) ? p.unmet.map(String) : [];
      // A refused transition's detail ends with its unmet conditions; they are listed one a line below instead.
      const joined = unmet.join('; ');
      const detail = unmet.length > 0 && p.detail?.endsWith(joined) ? p.detail.slice(0, -joined.length).trimEnd() : (p.detail ?? '');
      throw new CliError(`${p.title ?? `HTTP ${res.status}`}: ${detail}${hint}`, exitFor(res.status), [
        ...(p.errors ?? []).map((e) => `${e.path}: ${e.message}`),
        ...unmet,
      ]);
    }
    if (res.status === 204 || text === '') return undefined as T;
    return JSON.parse(text) as T;
  }
}
