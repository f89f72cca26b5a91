// Who is asking, from the User-Agent alone: a feed aggregator (and the subscribers it reports), a bot, or maybe a person.

/** A feed service that fetches once for many readers and says how many in its User-Agent. */
interface Aggregator {
  name: string;
  pattern: RegExp;
}

/** The services whose subscriber counts are believed; the name is the key counts are kept under. */
export const AGGREGATORS: readonly Aggregator[] = [
  { name: 'feedly', pattern: /feedly/i },
  { name: 'inoreader', pattern: /inoreader/i },
  { name: 'newsblur', pattern: /newsblur/i },
  { name: 'feedbin', pattern: /feedbin/i },
  { name: 'theoldreader', pattern: /theoldreader|the old reader/i },
  { name: 'bazqux', pattern: /bazqux/i },
  { name: 'feedspot', pattern: /feedspot/i },
  { name: 'feedhq', pattern: /feedhq/i },
  { name: 'netvibes', pattern: /netvibes/i },
];

// "42 subscribers", "1 subscriber", "7 readers": at most nine digits, so a count is always a safe integer.
const SUBSCRIBERS = /(?:^|[^0-9])([0-9]{1,9}) +(?:subscribers?|readers?)\b/i;

// Crawlers, link unfurlers and previewers: never a subscriber, never a view.
const BOTS =
  /bot\b|bot\/|crawler|spider|slurp|facebookexternalhit|facebookcatalog|meta-externalagent|embedly|unfurl|preview|slack|whatsapp|telegram|skypeuripreview|vkshare|pinterest|bingpreview|headlesschrome|lighthouse|pagespeed|archive\.org_bot|ia_archiver|feedvalidator|w3c_validator|uptime|monitor|pingdom/i;

// HTTP libraries and command-line tools: a program, not a person reading a page (a feed reader may use one).
const TOOLS = /^(?:curl|wget|python-requests|python-urllib|go-http-client|java\/|okhttp|axios|node-fetch|undici|libwww-perl|httpie)/i;

/** What a User-Agent says about its sender. */
export type Agent = { type: 'aggregator'; name: string; subscribers: number } | { type: 'bot' } | { type: 'tool' } | { type: 'other' };

/**
 * Classifies a User-Agent. An aggregator that reports no count is one subscriber (someone subscribed
 * for it to poll); a reported count is taken as it is, one to 999,999,999.
 */
export function classifyAgent(ua: string | null): Agent {
  if (!ua) return { type: 'bot' };
  const aggregator = AGGREGATORS.find((a) => a.pattern.test(ua));
  if (aggregator) {
    const m = SUBSCRIBERS.exec(ua);
    return { type: 'aggregator', name: aggregator.name, subscribers: m?.[1] ? Math.max(1, Number(m[1])) : 1 };
  }
  if (BOTS.test(ua)) return { type: 'bot' };
  if (TOOLS.test(ua)) return { type: 'tool' };
  return { type: 'other' };
}

/** Whether a page view with this User-Agent is a person's: not a bot, not an HTTP library, not empty. */
export const isPerson = (ua: string | null): boolean => classifyAgent(ua).type === 'other';
