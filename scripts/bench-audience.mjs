// The bench's audience lines: each counted request measured once per sink (local, Analytics Engine,
// none) on instances alike but for AUDIENCE_SINK, so what counting costs reads side by side.
import { partnerFeed, putPartners } from './bench-partners.mjs';

/** User-Agents that are counted: a feed reader polling for itself, an aggregator, a person's browser. */
export const AGENTS = {
  poller: 'NetNewsWire (RSS Reader; https://netnewswire.com/)',
  feedly: 'Feedly/1.0 (+http://www.feedly.com/fetcher.html; 1234 subscribers; feed-id=feed/bench)',
  person: 'Mozilla/5.0 (X11; Linux x86_64; rv:140.0) Gecko/20100101 Firefox/140.0',
};

/** @typedef {(w: any, method: string, path: string, body?: unknown) => Promise<any>} Call */
/** @typedef {{ path: string, headers?: Record<string, string>, method?: string, body?: string }} Request */
/**
 * One counted request. `request` is the request itself, or made per instance once its writer has
 * settled (a partner credential); `prepare` runs before that settle (what the writer must publish
 * first). Adding a count to the bench is one entry here. Downloads have none: the bench's instances
 * run without the asset server (`assets: false`) that the download route hands the file from.
 * @typedef {{ what: string, request: Request | ((call: Call, w: any) => Promise<Request>), prepare?: (call: Call, w: any) => Promise<void> }} Counted
 */

/** @type {Counted[]} */
export const COUNTED = [
  { what: 'poll, direct poller', request: { path: '/feed.xml', headers: { 'User-Agent': AGENTS.poller } } },
  { what: 'poll, aggregator (Feedly)', request: { path: '/feed.xml', headers: { 'User-Agent': AGENTS.feedly } } },
  { what: 'view, a person', request: { path: '/videos/story-3', headers: { 'User-Agent': AGENTS.person } } },
  {
    what: 'partner delivery',
    prepare: (call, w) => putPartners(call, w, [['bench-rss', 'rss', undefined]]),
    request: async (call, w) => {
      const feed = await partnerFeed(call, w, 'bench-rss');
      return { path: feed.path, headers: feed.headers };
    },
  },
  {
    // The player's beacon as sendBeacon sends it: answered 204 by the gateway, its points made after.
    what: 'beacon (POST /beacon)',
    request: async (call, w) => ({
      method: 'POST',
      path: '/beacon',
      headers: { 'Content-Type': 'text/plain;charset=UTF-8', Origin: new URL(w.url).origin, 'User-Agent': AGENTS.person },
      body: JSON.stringify({ item: 'story-3', events: ['impression', 'play', 'q25'], site: 'https://host.example' }),
    }),
  },
];

/**
 * The sinks each counted request is measured with: the instance's AUDIENCE_SINK, the label's tag,
 * and what a line with it measures.
 */
export const SINKS = [
  {
    sink: 'local',
    tag: 'local sink',
    says: 'the AudienceStore Durable Object: one SQLite insert per counted request, after the answer (npm start; the default)',
  },
  {
    sink: 'analytics-engine',
    tag: 'AE, dropped',
    says: "Analytics Engine's writeDataPoint, which Miniflare drops: the point made (User-Agent match, salt, SHA-256) and handed to a call that returns at once, as production's buffered write does",
  },
  { sink: 'none', tag: 'none', says: 'counting off: the gateway taps nothing, makes no point' },
];

/**
 * The audience lines a run measures, grouped by request (its sinks side by side): those whose label
 * `only` matches, or all of them when it matches the word "audience".
 * @param {RegExp} only
 */
export function audienceLines(only) {
  const all = only.test('audience');
  return COUNTED.flatMap((entry) => SINKS.map((s) => ({ entry, ...s, label: `${entry.what}: ${s.tag}` }))).filter(
    (l) => all || only.test(l.label),
  );
}

/**
 * What the lines of one request show together: each counted sink's ratio over the uncounted one's.
 * @param {{ entry: Counted, sink: string, ratio: number }[]} measured
 */
export function countingCosts(measured) {
  const out = [];
  for (const entry of COUNTED) {
    const of = (sink) => measured.find((m) => m.entry === entry && m.sink === sink)?.ratio;
    const none = of('none');
    if (!none) continue;
    const parts = SINKS.filter((s) => s.sink !== 'none' && of(s.sink)).map(
      (s) => `${s.tag} ÷ none ${/** @type {number} */ (of(s.sink) / none).toFixed(2)}`,
    );
    if (parts.length) out.push(`  ${entry.what.padEnd(28)} ${parts.join(', ')}`);
  }
  return out;
}
