// Typed errors and the one problem+json (RFC 9457) shape every failure is answered with.
import type { Context } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import * as v from 'valibot';
import { issuePath } from './model/schema';

/** An error a client can cause or be told about; anything else is a 500. */
export class ProblemError extends Error {
  constructor(
    readonly status: ContentfulStatusCode,
    readonly title: string,
    readonly detail: string,
    readonly extra: Record<string, unknown> = {},
    readonly headers: Record<string, string> = {},
  ) {
    super(detail);
  }
}

/** 400 naming the offending field or query parameter. */
export function badRequest(field: string, detail: string): ProblemError {
  return new ProblemError(400, 'Bad Request', `${field}: ${detail}`, { field });
}

export function notFound(detail = 'Nothing is published at this address.'): ProblemError {
  return new ProblemError(404, 'Not Found', detail);
}

/** Turns the first schema issue into a 400 (or 422 for a well-formed but invalid body). */
export function invalid(issues: readonly v.BaseIssue<unknown>[], status: 400 | 422 = 422): ProblemError {
  const first = issues[0];
  const field = first ? issuePath(first) || '(body)' : '(body)';
  const errors = issues.slice(0, 20).map((i) => ({ field: issuePath(i) || '(body)', message: i.message }));
  return new ProblemError(status, status === 422 ? 'Invalid item' : 'Bad Request', `${field}: ${first?.message ?? 'invalid'}`, {
    field,
    errors,
  });
}

/** Renders a problem as application/problem+json; the API and errors are never cached. */
export function problemResponse(c: Context, p: ProblemError): Response {
  const body = JSON.stringify({
    type: 'about:blank',
    title: p.title,
    status: p.status,
    detail: p.detail,
    instance: new URL(c.req.url).pathname,
    ...p.extra,
  });
  return new Response(c.req.method === 'HEAD' ? null : body, {
    status: p.status,
    headers: {
      'Content-Type': 'application/problem+json; charset=utf-8',
      'Cache-Control': 'no-store',
      'Access-Control-Allow-Origin': '*',
      'X-Content-Type-Options': 'nosniff',
      ...p.headers,
    },
  });
}
