// Typed errors and the one problem+json (RFC 9457) shape every failure is answered with.
import type { Context } from 'hono';
import { HTTPException } from 'hono/http-exception';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import type * as v from 'valibot';
import { problemsOf, type FieldProblem } from './model/messages';

const TITLES: Partial<Record<number, string>> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  404: 'Not Found',
  405: 'Method Not Allowed',
  409: 'Conflict',
  410: 'Gone',
  412: 'Precondition Failed',
  413: 'Content Too Large',
  415: 'Unsupported Media Type',
  422: 'Unprocessable Content',
  500: 'Internal Server Error',
  501: 'Not Implemented',
  503: 'Service Unavailable',
};

/** An error a client can cause or be told about; its title comes from the status, its detail names the field. */
export class ProblemError extends HTTPException {
  readonly title: string;
  constructor(
    status: ContentfulStatusCode,
    readonly detail: string,
    readonly extra: { field?: string; errors?: FieldProblem[] } & Record<string, unknown> = {},
    readonly headers: Record<string, string> = {},
  ) {
    super(status, { message: detail });
    this.title = TITLES[status] ?? 'Error';
  }
}

/** A 4xx naming the offending field or parameter: `field: message`. */
export function fieldError(status: ContentfulStatusCode, field: string, message: string): ProblemError {
  return new ProblemError(status, `${field}: ${message}`, { field });
}

export const badRequest = (field: string, message: string) => fieldError(400, field, message);

export function notFound(detail = 'Nothing is published at this address.'): ProblemError {
  return new ProblemError(404, detail);
}

/** 503 with Retry-After: storage or the writer is not answering; the client may try again. */
export function unavailable(detail: string, retryAfter = 10): ProblemError {
  return new ProblemError(503, detail, {}, { 'Retry-After': String(retryAfter) });
}

/** 422 for a body that is JSON but not a valid item: the first problem in the detail, every one in `errors`. */
export function invalidFields(errors: readonly FieldProblem[]): ProblemError {
  const first = errors[0] ?? { field: '(body)', message: 'is not valid' };
  return new ProblemError(422, `${first.field}: ${first.message}`, { field: first.field, errors: [...errors] });
}

/** A schema failure as invalidFields, every problem; `prefix` names the part of the body ("items[3]"). */
export const invalid = (issues: readonly v.BaseIssue<unknown>[], prefix = '') => invalidFields(problemsOf(issues, prefix));

/** Renders a problem as application/problem+json; problems are never cached. HEAD gets GET's length. */
export const problemResponse = (c: Context, p: ProblemError): Response => problemAnswer(c.req.raw, p);

/** problemResponse for code that answers a request outside the Hono app (the gateway's own routes). */
export function problemAnswer(request: Pick<Request, 'url' | 'method'>, p: ProblemError): Response {
  const body = new TextEncoder().encode(
    JSON.stringify({
      type: 'about:blank',
      title: p.title,
      status: p.status,
      detail: p.detail,
      instance: new URL(request.url).pathname,
      ...p.extra,
    }),
  );
  return new Response(request.method === 'HEAD' ? null : body, {
    status: p.status,
    headers: {
      'Content-Type': 'application/problem+json; charset=utf-8',
      'Content-Length': String(body.byteLength),
      'Cache-Control': 'no-store',
      'Access-Control-Allow-Origin': '*',
      ...p.headers,
    },
  });
}
