// The security headers, from Hono's secure-headers: nosniff on every answer, framing and referrer rules on pages.
import type { MiddlewareHandler } from 'hono';
import { secureHeaders } from 'hono/secure-headers';
import { PLAYER_SCRIPT_HASH } from '../render/player-beacon';

// secure-headers turns on a dozen headers by default; Cross-Origin-Resource-Policy alone would stop
// other sites from reading our feeds and framing the player. Only what is named below is sent.
const NONE = {
  crossOriginResourcePolicy: false,
  crossOriginOpenerPolicy: false,
  originAgentCluster: false,
  referrerPolicy: false,
  strictTransportSecurity: false,
  xContentTypeOptions: false,
  xDnsPrefetchControl: false,
  xDownloadOptions: false,
  xFrameOptions: false,
  xPermittedCrossDomainPolicies: false,
  xXssProtection: false,
  removePoweredBy: false,
} as const;

/** Every answer, documents, problems and the API alike: no content sniffing. */
export const noSniff: MiddlewareHandler = secureHeaders({ ...NONE, xContentTypeOptions: true });

/** The same for an answer made outside the app (the gateway's download route): the answer, with nosniff set. */
export function withNoSniff(res: Response): Response {
  res.headers.set('X-Content-Type-Options', 'nosniff');
  return res;
}

/** Scope and item pages: framed only by this site. */
export const pageHeaders: MiddlewareHandler = secureHeaders({
  ...NONE,
  referrerPolicy: 'strict-origin-when-cross-origin',
  contentSecurityPolicy: { frameAncestors: ["'self'"] },
});

/**
 * The player: other sites frame it, sandboxed or not; it loads media and images, runs its one beacon
 * script (by hash) and sends the beacon to this origin, and nothing else.
 */
export const embedHeaders: MiddlewareHandler = secureHeaders({
  ...NONE,
  referrerPolicy: 'strict-origin-when-cross-origin',
  contentSecurityPolicy: {
    frameAncestors: ['*'],
    defaultSrc: ["'none'"],
    mediaSrc: ["'self'", 'https:', 'http:'],
    imgSrc: ["'self'", 'https:', 'http:'],
    styleSrc: ["'unsafe-inline'"],
    scriptSrc: [PLAYER_SCRIPT_HASH],
    connectSrc: ["'self'"],
    baseUri: ["'none'"],
    formAction: ["'none'"],
  },
});
