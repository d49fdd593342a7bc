/** An `application/problem+json` answer from relman, kept whole so a page can show every part. */
export type ProblemDetails = {
  type?: string;
  title: string;
  status: number;
  detail?: string;
  code?: string;
  errors?: { path?: string; field?: string; message: string }[];
  unmet?: string[];
  [extra: string]: unknown;
};

export class ProblemError extends Error {
  override readonly name = 'ProblemError';
  constructor(readonly problem: ProblemDetails) {
    super(problem.detail ? `${problem.title}: ${problem.detail}` : problem.title);
  }
  get status(): number {
    return this.problem.status;
  }
}

export async function problemFrom(res: Response): Promise<ProblemError> {
  let body: unknown = null;
  try {
    body = await res.json();
  } catch {
    // not JSON: described below from the status alone
  }
  if (body && typeof body === 'object' && 'title' in body) return new ProblemError({ ...(body as ProblemDetails), status: res.status });
  return new ProblemError({ status: res.status, title: res.statusText || `HTTP ${res.status}` });
}

/** The problems a problem lists for one input field (matched by its last path segment). */
export function fieldProblems(err: unknown, field: string): string | undefined {
  if (!(err instanceof ProblemError)) return undefined;
  const hits = (err.problem.errors ?? []).filter((e) => {
    const where = e.field ?? e.path ?? '';
    return where === field || where.split(/[./]/).pop() === field;
  });
  return hits.length ? hits.map((e) => e.message).join('; ') : undefined;
}
