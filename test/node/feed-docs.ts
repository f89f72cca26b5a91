// Every RSS and Atom document a running wirefeed serves, found as a reader finds them (OPML, RFC 5005
// links), and the W3C Feed Validation Service's own code run over them by URL, many to a Python process.
import { execFile } from 'node:child_process';
import { XMLParser } from 'fast-xml-parser';

const xml = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '@',
  isArray: (name) => ['outline', 'link', 'atom:link', 'item', 'entry'].includes(name),
});

type Node = Record<string, unknown> & { '@rel'?: string; '@href'?: string; '@xmlUrl'?: string; outline?: Node[] };

/** Scope prefixes ('' for everything, percent-encoded as served) of every RSS feed /feeds.opml lists. */
export async function opmlScopes(base: string): Promise<string[]> {
  const res = await fetch(`${base}/feeds.opml`);
  if (res.status !== 200) throw new Error(`/feeds.opml: HTTP ${res.status}`);
  const doc = xml.parse(await res.text()) as { opml: { body: { outline: Node[] } } };
  const urls: string[] = [];
  const walk = (outlines: Node[] | undefined) => {
    for (const o of outlines ?? []) {
      if (o['@xmlUrl']) urls.push(o['@xmlUrl']);
      walk(o.outline);
    }
  };
  walk(doc.opml.body.outline);
  return urls.map((u) => {
    const path = new URL(u).pathname;
    if (!u.startsWith(`${base}/`) || !path.endsWith('/feed.xml')) throw new Error(`/feeds.opml lists ${u}`);
    return path.slice(0, -'/feed.xml'.length);
  });
}

/** Feed-level links of an RSS (atom:link) or Atom document. */
export function feedLinks(text: string): { rel: string; href: string }[] {
  const doc = xml.parse(text) as { rss?: { channel: Node }; feed?: Node };
  const links = (doc.rss ? doc.rss.channel['atom:link'] : doc.feed?.link) as Node[] | undefined;
  return (links ?? []).map((l) => ({ rel: l['@rel'] ?? 'alternate', href: l['@href'] ?? '' }));
}

/** Archive pages behind a subscription document, newest first, by following rel="prev-archive". */
export async function archivesOf(base: string, path: string): Promise<string[]> {
  const out: string[] = [];
  for (let at = path; ;) {
    const res = await fetch(`${base}${at}`);
    if (res.status !== 200) throw new Error(`${at}: HTTP ${res.status}`);
    const prev = feedLinks(await res.text()).find((l) => l.rel === 'prev-archive')?.href;
    if (!prev) return out;
    if (!prev.startsWith(`${base}/`)) throw new Error(`${at}: prev-archive ${prev} is not on this site`);
    at = new URL(prev).pathname;
    if (out.includes(at) || out.length > 50) throw new Error(`${path}: archive links loop at ${at}`);
    out.push(at);
  }
}

export interface FeedDocs {
  scopes: string[];
  /** Every scope's /feed.xml and /feed.atom. */
  subscriptions: string[];
  /** Every archive page of every scope, both formats. */
  archives: string[];
}

/** Every RSS and Atom document the service at `base` serves. */
export async function discoverFeeds(base: string): Promise<FeedDocs> {
  const scopes = await opmlScopes(base);
  const subscriptions = scopes.flatMap((s) => [`${s}/feed.xml`, `${s}/feed.atom`]);
  const archives = (await pool(subscriptions, 4, (p) => archivesOf(base, p))).flat();
  return { scopes, subscriptions, archives };
}

/** Runs `fn` over `items` with at most `limit` running at once; results in input order. */
export async function pool<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i] as T);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}

/** Our batch driver: the W3C validator's own wrapper, run over many documents in one Python process. */
export const VALIDATOR = 'test/tools/validate-batch';

export interface Verdict {
  feedType: string | null;
  errors: string[];
  warnings: string[];
}

/** A document to validate: a loopback URL, or a file with `base` as its address. */
export interface Target {
  target: string;
  base?: string;
}

/** One Python process over `jobs`, in order; each answer is what the `validate` wrapper says of that target. */
function validateBatch(jobs: readonly Target[]): Promise<Verdict[]> {
  return new Promise((resolve, reject) => {
    const child = execFile('/usr/bin/python3', [VALIDATOR], { maxBuffer: 64 << 20, timeout: 300_000 }, (err, stdout, stderr) => {
      if (err) return reject(new Error(`validate-batch: ${stderr || err.message}`));
      const lines = stdout.trim().split('\n').filter(Boolean);
      if (lines.length !== jobs.length)
        return reject(new Error(`validate-batch: ${jobs.length} documents, ${lines.length} answers: ${stdout}${stderr}`));
      try {
        resolve(
          lines.map((line, i) => {
            const { target, exit, ...v } = JSON.parse(line) as Verdict & Target & { exit: number };
            if (target !== jobs[i]?.target) throw new Error(`answer ${i} is for ${target}, not ${jobs[i]?.target}`);
            // The exit status and the report must agree, or the wrapper itself is broken.
            if ((exit === 1) !== v.errors.length + v.warnings.length > 0) throw new Error(`${target}: exit ${exit} with ${line}`);
            return v;
          }),
        );
      } catch (e) {
        reject(new Error(`validate-batch: ${(e as Error).message}`));
      }
    });
    child.stdin?.end(jobs.map((j) => JSON.stringify(j)).join('\n'));
  });
}

/**
 * The W3C validator on loopback URLs (it then also judges the Content-Type, as the service does) or
 * files (with `base` as their address), split over `processes` Python processes; verdicts in input order.
 */
export async function w3cValidateAll(jobs: readonly Target[], processes = 2): Promise<Verdict[]> {
  const size = Math.ceil(jobs.length / processes) || 1;
  const chunks = Array.from({ length: Math.ceil(jobs.length / size) }, (_, i) => jobs.slice(i * size, (i + 1) * size));
  return (await Promise.all(chunks.map(validateBatch))).flat();
}

/** The W3C validator on one loopback URL or file (with `base` as its address). */
export async function w3cValidate(target: string, base?: string): Promise<Verdict> {
  return (await validateBatch([{ target, ...(base ? { base } : {}) }]))[0] as Verdict;
}

/**
 * Validates each path of `base` by URL; returns only the documents with findings, as
 * `{ path: ['error: …', 'warning: …'] }`, so a failing assertion prints the validator's own messages.
 * An RSS path must be judged rss2 and an Atom path atom.
 */
export async function w3cFindings(base: string, paths: readonly string[]): Promise<Record<string, string[]>> {
  const verdicts = await w3cValidateAll(paths.map((p) => ({ target: `${base}${p}` })));
  const findings: Record<string, string[]> = {};
  paths.forEach((p, i) => {
    const v = verdicts[i] as Verdict;
    const type = p.endsWith('.atom') ? 'atom' : 'rss2';
    const messages = [
      ...(v.feedType === type ? [] : [`error: judged ${v.feedType}, not ${type}`]),
      ...v.errors.map((e) => `error: ${e}`),
      ...v.warnings.map((e) => `warning: ${e}`),
    ];
    if (messages.length) findings[p] = messages;
  });
  return findings;
}
