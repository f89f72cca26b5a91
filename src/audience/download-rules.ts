// The IAB Tech Lab podcast measurement rules (2.x) as they apply to one request: bytes asked for, the minute's worth, who is not a listener.
import { bounded, parseRange } from '../http/byte-range';
import { classifyAgent } from './user-agents';

/** Whether a Range header asks for the first two bytes only: players probing a file, which the IAB says to ignore. */
export function isFirstTwoBytes(header: string | null): boolean {
  const s = header === null ? null : parseRange(header);
  return s?.length === 1 && 'start' in s[0]! && s[0].start === 0 && s[0].end === 1;
}

/**
 * How many of a file's `size` bytes a request asks for: all of them without a Range header (or with
 * one a server ignores as malformed); else the union of its ranges, each held to the file (an open
 * range runs to the end, a suffix range is the last bytes). Ranges wholly past the end ask for nothing.
 */
export function requestedBytes(header: string | null, size: number): number {
  if (header === null) return size;
  const s = parseRange(header);
  if (!s) return size;
  const spans: [number, number][] = [];
  for (const r of s) {
    const span = bounded(r, size);
    if (span) spans.push(span);
  }
  spans.sort((a, b) => a[0] - b[0]);
  let total = 0;
  let reached = -1;
  for (const [from, to] of spans) {
    if (to <= reached) continue;
    total += to - Math.max(from, reached + 1) + 1;
    reached = to;
  }
  return total;
}

/**
 * How many bytes make one minute of a file: its size over its duration, times 60 s, rounded up; the
 * whole file when it lasts a minute or less (the IAB: "at least one minute, or the whole file if shorter").
 */
export function minuteBytes(size: number, durationSeconds: number): number {
  if (!(durationSeconds > 60)) return size;
  return Math.min(size, Math.ceil((size * 60) / durationSeconds));
}

// Podcast services that fetch enclosures for their own ends (directories, importers, transcribers,
// archivers, downloaders and media tools), after the bot and library entries of the Open Podcast
// Analytics Working Group's user-agents-v2 list; browsers' and players' own agents never match.
const PODCAST_BOTS =
  /podcastindex|podchaser|listennotes|podnews|podscan|podscribe|chartable|fyyd|podtail|castopod|castfeedvalidator|\biTMS\b|podcast[ _-]?(?:archiv|download|dl\b|fetch|grab|transcri|crawl|index|sync)|podgrab|podget|castget|flexget|overcast.*(?:feed parser|transcri)|transcri|archiver|aria2\/|^lavf\/|aiohttp|apache-httpclient|^deno\/|^bun\/|guzzlehttp|^got[/ (]|http-tiny|^node$/i;

/**
 * Whether a request's User-Agent rules it out as a listener's: none at all, a bot or previewer, an
 * HTTP library or command-line tool, a feed aggregator's fetcher, or a podcast service's (as OPAWG lists them).
 */
export function isNotListener(ua: string | null): boolean {
  if (!ua?.trim()) return true;
  return classifyAgent(ua).type !== 'other' || PODCAST_BOTS.test(ua);
}
