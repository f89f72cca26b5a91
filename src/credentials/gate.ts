// The gateway's partner check: verify the credential with the credentials store on every request, strip
// it, and ask the cached Documents entrypoint for the document with the partner in ctx.props.
import { partnerAddress } from '../routes/partner-documents';
import { credentials } from './access';
import { partnerRefusal, partnerUnchecked } from './refusal';
import { presentedIn } from './secrets';

/** What the gateway calls the Documents entrypoint through: ctx.exports.Documents, with or without props. */
export type DocumentsExport = ((options: { props: { partner: string } }) => Fetcher) & Fetcher;

// Request headers a document's answer depends on; everything else (Authorization and cookies above
// all) stays behind, so neither the cache nor the Documents entrypoint ever sees a secret.
const FORWARDED = ['If-None-Match', 'If-Modified-Since', 'Accept'];

/**
 * Answers a `/partners/…` request: the identical 401 unless the request carries a live credential of
 * that very partner, in the form it was issued for; else the document, fetched from the Documents
 * entrypoint by its canonical URL (no `?token=`, no stray parameters) as that partner. The id of the
 * credential that opened it is left in `seen`.
 */
export async function partnerGate(
  request: Request,
  env: Env,
  documents: DocumentsExport,
  seen: { credential?: string } = {},
): Promise<Response> {
  const head = request.method === 'HEAD';
  const url = new URL(request.url);
  const address = partnerAddress(url);
  const presented = presentedIn(request, url);
  if (!address || presented.length === 0) return partnerRefusal(head);
  let id: string | null;
  try {
    id = await credentials(env).verify(address.partner, presented);
  } catch (err) {
    // The error, never the request: the request holds the secret.
    console.error('credentials store failed', err instanceof Error ? err.message : 'unknown error');
    return partnerUnchecked(head);
  }
  if (id === null) return partnerRefusal(head);
  // For the audience count: which credential this delivery went to.
  seen.credential = id;
  const headers = new Headers();
  for (const name of FORWARDED) {
    const value = request.headers.get(name);
    if (value !== null) headers.set(name, value);
  }
  // A URL that names no document goes as sent, less the token, for the Documents entrypoint to answer 404.
  url.searchParams.delete('token');
  const target = address.doc ? `${url.origin}${address.doc}` : url.toString();
  return documents({ props: { partner: address.partner } }).fetch(target, { method: request.method, headers, redirect: 'manual' });
}
