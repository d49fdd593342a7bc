import type { FastifyInstance, InjectOptions, LightMyRequestResponse } from 'fastify';
import { expect } from 'vitest';

export const PROBLEM_TYPE = /^application\/problem\+json/;
export const JSON_TYPE = /^application\/json/;

export const bearer = (token: string): Record<string, string> => ({ authorization: `Bearer ${token}` });

export type Call = (
  method: InjectOptions['method'],
  url: string,
  payload?: unknown,
  headers?: Record<string, string>,
) => Promise<LightMyRequestResponse>;

/** A request function that sends the given API token on every call. */
export function caller(app: FastifyInstance, token: string | null): Call {
  return (method, url, payload, headers) =>
    app.inject({
      method,
      url,
      headers: { ...(token === null ? {} : bearer(token)), ...(headers ?? {}) },
      ...(payload === undefined ? {} : { payload: payload as InjectOptions['payload'] }),
    });
}

export type ProblemBody = {
  type: string;
  title: string;
  status: number;
  detail: string;
  requestId?: string;
  errors?: { in?: string; path: string; message: string }[];
  [k: string]: unknown;
};

/** Asserts an RFC 9457 problem answer with the given status (and problem code) and returns its body. */
export function expectProblem(res: LightMyRequestResponse, status: number, code?: string): ProblemBody {
  expect(res.statusCode, res.body).toBe(status);
  expect(res.headers['content-type']).toMatch(PROBLEM_TYPE);
  const body = res.json<ProblemBody>();
  expect(body).toMatchObject({
    type: expect.stringMatching(/^urn:relman:problem:[a-z-]+$/),
    title: expect.any(String),
    status,
    detail: expect.any(String),
  });
  expect(body.title).not.toBe('');
  expect(body.detail).not.toBe('');
  if (code !== undefined) expect(body.type).toBe(`urn:relman:problem:${code}`);
  return body;
}

/** Asserts a JSON success answer with the given status and returns its body. */
export function expectJson<T = any>(res: LightMyRequestResponse, status: number): T {
  expect(res.statusCode, res.body).toBe(status);
  expect(res.headers['content-type']).toMatch(JSON_TYPE);
  return res.json<T>();
}
