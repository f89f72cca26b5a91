// The one 401 every unauthenticated partner request gets (no answer tells a partner that exists from one that
// does not), and the 503 for when credentials cannot be checked.

/** Each way a partner may send its secret, as a challenge. */
export const PARTNER_CHALLENGE = 'Basic realm="wirefeed partners", charset="UTF-8", Bearer realm="wirefeed partners"';

// No `instance`: the body is the same bytes whatever partner or document was asked for.
const BODY = new TextEncoder().encode(
  JSON.stringify({
    type: 'about:blank',
    title: 'Unauthorized',
    status: 401,
    detail: "Send one of this partner's credentials: ?token=, HTTP Basic or Authorization: Bearer, as it was issued.",
  }),
);

/**
 * The 401 for a partner document: unknown partner, no or wrong secret, a revoked credential, another
 * partner's, or one sent in the wrong form all get exactly these bytes and headers. Never stored.
 */
export function partnerRefusal(head = false): Response {
  return new Response(head ? null : BODY, {
    status: 401,
    headers: {
      'Content-Type': 'application/problem+json; charset=utf-8',
      'Content-Length': String(BODY.byteLength),
      'Cache-Control': 'no-store',
      'WWW-Authenticate': PARTNER_CHALLENGE,
      'X-Content-Type-Options': 'nosniff',
    },
  });
}

const UNCHECKED = new TextEncoder().encode(
  JSON.stringify({
    type: 'about:blank',
    title: 'Service Unavailable',
    status: 503,
    detail: 'Credentials cannot be checked just now; try again shortly.',
  }),
);

/** The 503 when the credentials store does not answer: nothing is served unchecked. */
export function partnerUnchecked(head = false): Response {
  return new Response(head ? null : UNCHECKED, {
    status: 503,
    headers: {
      'Content-Type': 'application/problem+json; charset=utf-8',
      'Content-Length': String(UNCHECKED.byteLength),
      'Cache-Control': 'no-store',
      'Retry-After': '5',
      'X-Content-Type-Options': 'nosniff',
    },
  });
}
