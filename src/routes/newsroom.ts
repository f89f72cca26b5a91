// GET /newsroom: the newsroom's audience page (a shell with no data, cacheable), with a strict CSP allowing its own script and style by hash.
import { Hono } from 'hono';
import type { AppEnv } from '../env';
import { askOf, conditional, extrasFor, type ServeExtras } from '../http/serve';
import { quickHash } from '../model/hash';
import { CONTENT_TYPES } from '../model/paths';
import { NEWSROOM_CSS, NEWSROOM_HTML, NEWSROOM_PATH } from '../render/newsroom-page';
import { NEWSROOM_SCRIPT } from '../render/newsroom-script';
import { RENDER_VERSION } from '../render/version';
import type { DocMeta } from '../store/kv-store';

export const newsroom = new Hono<AppEnv>();

const sha256 = async (text: string) => {
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(text)));
  return `'sha256-${btoa(String.fromCharCode(...digest))}'`;
};

/** The page's Content-Security-Policy: its inline script and style by hash, requests to this origin only, no framing, no forms. */
export async function newsroomPolicy(): Promise<string> {
  return [
    "default-src 'none'",
    `script-src ${await sha256(NEWSROOM_SCRIPT)}`,
    `style-src ${await sha256(NEWSROOM_CSS)}`,
    "connect-src 'self'",
    "img-src 'self'",
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
  ].join('; ');
}

interface Shell {
  meta: DocMeta;
  body: Uint8Array;
  extras: ServeExtras;
}

// Made on the first request of an isolate (the hashes need an await), then reused.
let shell: Shell | undefined;

async function makeShell(): Promise<Shell> {
  const headers = {
    'Content-Security-Policy': await newsroomPolicy(),
    'Referrer-Policy': 'no-referrer',
    'X-Robots-Tag': 'noindex, nofollow',
    'Cross-Origin-Opener-Policy': 'same-origin',
  };
  return {
    // Its text lives in the code, outside the render version, so nothing purges it on a deploy: a short life ('item').
    meta: { etag: `"${quickHash(NEWSROOM_HTML)}"`, lastModified: '', type: CONTENT_TYPES.html, cache: 'item', rv: RENDER_VERSION },
    body: new TextEncoder().encode(NEWSROOM_HTML),
    // No CORS: no other site has a use for it.
    extras: { ...extrasFor(NEWSROOM_PATH, headers), cors: false },
  };
}

// The data is not here: the page's script asks /api/stats/charts for it, with the token, uncached.
newsroom.get(NEWSROOM_PATH, async (c) => {
  shell ??= await makeShell();
  return conditional(askOf(c), shell.meta, shell.body, shell.extras);
});
