// @ts-check
// The bench's reference: a Worker that answers each URL with the status, headers and bytes wirefeed
// answered it with, as constants (a Headers object built once, copied natively by Response). Typed by
// @cloudflare/workers-types (scripts/tsconfig.json): `wrangler types` covers only wirefeed itself.

/** @typedef {{ key: string, status: number, headers: [string, string][], body: string | null }} Answer */
/** @typedef {{ status: number, headers: Headers, bytes: Uint8Array | null }} Prepared */

/** @type {Map<string, Prepared> | undefined} */
let table;

/** @param {Answer[]} answers */
function prepare(answers) {
  return new Map(
    answers.map((a) => [
      a.key,
      {
        status: a.status,
        headers: new Headers(a.headers),
        bytes: a.body === null ? null : Uint8Array.from(atob(a.body), (c) => c.charCodeAt(0)),
      },
    ]),
  );
}

/** @type {ExportedHandler<{ ANSWERS: Answer[] }>} */
export default {
  fetch(req, env) {
    table ??= prepare(env.ANSWERS);
    const a = table.get(req.headers.has('if-none-match') ? `${req.url} 304` : req.url);
    return a ? new Response(a.bytes, { status: a.status, headers: a.headers }) : new Response('no answer recorded', { status: 500 });
  },
};
