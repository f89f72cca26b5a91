// Podcast downloads: the route the feeds' enclosures point at (the file as the asset server gives it,
// 302 for an external one, 404/410 problems) and the IAB rules it is counted by, rolled up through the cron.
import { env, SELF } from 'cloudflare:test';
import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { api, ORIGIN, parseXml, publish, sleep, syntheticItem } from '../helpers';
import { BROWSER, cron, rawPoints, storeTables, visit } from '../audience-helpers';

const DAY1 = Date.UTC(2026, 11, 6, 10);
const DAY = 86_400_000;
// content/media/liaison-office.mp4: 372,439 bytes, 134 s, so a minute is ⌈372439 × 60 / 134⌉ bytes.
const SIZE = 372_439;
const MINUTE = 166_764;
const FILE = '/download/clip/liaison-office.mp4';
const POSTER = { url: '/media/liaison-office.jpg', width: 1280, height: 720, alt: 'Poster' };
const CLIP = syntheticItem(1, {
  slug: 'clip',
  kind: 'video',
  image: POSTER,
  video: { url: '/media/liaison-office.mp4', type: 'video/mp4', size: SIZE, duration: 134, width: 640, height: 360 },
});
// 30 s: shorter than a minute, so only the whole file makes a download.
const SHORT = syntheticItem(2, {
  slug: 'short',
  kind: 'video',
  image: POSTER,
  video: { url: '/media/harbour-drill.mp4', type: 'video/mp4', size: 82_162, duration: 30, width: 640, height: 360 },
});
const FAR = syntheticItem(3, {
  slug: 'far',
  kind: 'video',
  image: POSTER,
  video: { url: 'https://cdn.example/v/far%20away.mp4', type: 'video/mp4', size: 6_000_000, duration: 600, width: 640, height: 360 },
});
const IPHONE = 'AppleCoreMedia/1.0.0.21E236 (iPhone; U; CPU OS 17_4 like Mac OS X; en_us)';
const OVERCAST = 'Overcast/3.0 (+http://overcast.fm/; iOS podcast app)';

const stats = async (by: string, q = '&from=2026-12-06&to=2026-12-07') => (await api('GET', `/stats?by=${by}${q}`)).json<any>();
const downloads = async (slug = 'clip', q?: string) =>
  ((await stats('item', q)).rows.find((r: any) => r.key === slug)?.downloads ?? 0) as number;
const range = (r: string) => ({ headers: { Range: r } });
let mediaBytes: Uint8Array;

function sendable(headers: Record<string, string>): boolean {
  try {
    new Headers(headers);
    return true;
  } catch {
    return false;
  }
}

beforeEach(async () => {
  for (const item of [CLIP, SHORT, FAR]) await publish(item);
  // The asset server's own bytes (at the edge it answers /media/* before the Worker runs).
  mediaBytes = new Uint8Array(await (await env.ASSETS.fetch(`${ORIGIN}/media/liaison-office.mp4`)).arrayBuffer());
});
afterEach(() => vi.useRealTimers());

describe('the download route', () => {
  it('hands over the file: whole, one range (206, Content-Range), past the end (416), HEAD, If-None-Match, If-Range', async () => {
    expect(mediaBytes.byteLength).toBe(SIZE);
    const whole = await SELF.fetch(`${ORIGIN}${FILE}`, { headers: { 'User-Agent': IPHONE } });
    expect(whole.status).toBe(200);
    expect(whole.headers.get('Content-Type')).toBe('video/mp4');
    expect(whole.headers.get('Cache-Control')).toBe('private, max-age=86400');
    // As every answer of the app: no content sniffing, the file and the problems alike.
    expect(whole.headers.get('X-Content-Type-Options')).toBe('nosniff');
    expect(new Uint8Array(await whole.arrayBuffer())).toEqual(mediaBytes);

    const part = await SELF.fetch(`${ORIGIN}${FILE}`, range('bytes=1000-65535'));
    expect(part.status).toBe(206);
    expect(part.headers.get('Content-Range')).toBe(`bytes 1000-65535/${SIZE}`);
    expect(part.headers.get('X-Content-Type-Options')).toBe('nosniff');
    expect(new Uint8Array(await part.arrayBuffer())).toEqual(mediaBytes.slice(1000, 65536));

    const open = await SELF.fetch(`${ORIGIN}${FILE}`, range('bytes=372000-'));
    expect(open.headers.get('Content-Range')).toBe(`bytes 372000-${SIZE - 1}/${SIZE}`);
    expect(new Uint8Array(await open.arrayBuffer())).toEqual(mediaBytes.slice(372000));
    const suffix = await SELF.fetch(`${ORIGIN}${FILE}`, range('bytes=-10'));
    expect(new Uint8Array(await suffix.arrayBuffer())).toEqual(mediaBytes.slice(SIZE - 10));
    const past = await SELF.fetch(`${ORIGIN}${FILE}`, range(`bytes=${SIZE}-`));
    expect(past.status).toBe(416);
    expect(past.headers.get('Content-Range')).toBe(`bytes */${SIZE}`);
    expect(past.headers.get('X-Content-Type-Options')).toBe('nosniff');
    // Several ranges: the whole file, as a server may answer them.
    expect((await SELF.fetch(`${ORIGIN}${FILE}`, range('bytes=0-9,20-29'))).status).toBe(200);

    const head = await SELF.fetch(`${ORIGIN}${FILE}`, { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(head.headers.get('Accept-Ranges')).toBe('bytes');
    expect(head.headers.get('X-Content-Type-Options')).toBe('nosniff');
    expect((await head.arrayBuffer()).byteLength).toBe(0);

    const etag = whole.headers.get('ETag') as string;
    expect(etag).toBeTruthy();
    const unchanged = await SELF.fetch(`${ORIGIN}${FILE}`, { headers: { 'If-None-Match': etag } });
    expect(unchanged.status).toBe(304);
    expect(unchanged.headers.get('X-Content-Type-Options')).toBe('nosniff');
    // If-Range: the range while the file is the one the client has, the whole file once it is not.
    expect((await SELF.fetch(`${ORIGIN}${FILE}`, { headers: { Range: 'bytes=0-9', 'If-Range': etag } })).status).toBe(206);
    expect((await SELF.fetch(`${ORIGIN}${FILE}`, { headers: { Range: 'bytes=0-9', 'If-Range': '"old"' } })).status).toBe(200);
  });

  it('an external file is a 302 to where it lives; nothing is fetched from there', async () => {
    const res = await SELF.fetch(`${ORIGIN}/download/far/far%20away.mp4`, { redirect: 'manual' });
    expect(res.status).toBe(302);
    expect(res.headers.get('Location')).toBe('https://cdn.example/v/far%20away.mp4');
    expect(res.headers.get('Cache-Control')).toBe('no-store');
    expect(res.headers.get('X-Content-Type-Options')).toBe('nosniff');
    // The file's name however it is percent-encoded.
    expect((await SELF.fetch(`${ORIGIN}/download/far/f%61r%20away.mp4`, { redirect: 'manual' })).status).toBe(302);
  });

  it('what names no file answers 404, a withdrawn item 410, as problem+json; other methods as every public address', async () => {
    await publish(syntheticItem(4, { slug: 'words' }));
    const cases: [string, number][] = [
      ['/download/no-such-item/liaison-office.mp4', 404],
      ['/download/clip/other.mp4', 404],
      ['/download/clip/liaison-office.mp4/more', 404],
      ['/download/clip/', 404],
      ['/download/Clip/liaison-office.mp4', 404],
      ['/download/words/liaison-office.mp4', 404],
      ['/download/', 404],
    ];
    for (const [path, status] of cases) {
      const res = await SELF.fetch(`${ORIGIN}${path}`);
      expect(res.status, path).toBe(status);
      expect(res.headers.get('Content-Type'), path).toBe('application/problem+json; charset=utf-8');
      expect(res.headers.get('X-Content-Type-Options'), path).toBe('nosniff');
      expect((await res.json<any>()).instance, path).toBe(new URL(path, ORIGIN).pathname);
    }
    expect((await api('DELETE', '/items/clip')).status).toBe(200);
    const gone = await SELF.fetch(`${ORIGIN}${FILE}`);
    expect(gone.status).toBe(410);
    expect((await gone.json<any>()).detail).toMatch(/withdrawn/);
    expect((await SELF.fetch(`${ORIGIN}/download/short/harbour-drill.mp4`, { method: 'POST' })).status).toBe(405);
  });

  it("a renamed item's old enclosure still hands over the file, counted under the item's slug now", async () => {
    vi.useFakeTimers({ toFake: ['Date'], now: DAY1 });
    const { id } = await publish(SHORT);
    await publish({ ...SHORT, slug: 'short-renamed', id });
    expect((await visit('/download/short/harbour-drill.mp4', { ua: IPHONE })).status).toBe(200);
    await cron();
    expect(await downloads('short-renamed')).toBe(1);
    expect(await downloads('short')).toBe(0);
  });
});

describe('downloads by the IAB rules', () => {
  it('one per address and User-Agent a UTC day: again the same day is still one, another app is two, the next day counts again', async () => {
    vi.useFakeTimers({ toFake: ['Date'], now: DAY1 });
    expect((await visit(FILE, { ua: IPHONE })).status).toBe(200);
    await cron();
    expect(await downloads()).toBe(1);
    vi.setSystemTime(DAY1 + 3_600_000);
    await visit(FILE, { ua: IPHONE });
    await visit(FILE, { ua: IPHONE, ...range('bytes=0-') });
    await cron();
    expect(await downloads()).toBe(1);
    await visit(FILE, { ua: OVERCAST });
    await cron();
    expect(await downloads()).toBe(2);
    // 23:59 the same day: still that day's listener.
    vi.setSystemTime(Date.UTC(2026, 11, 6, 23, 59));
    await visit(FILE, { ua: IPHONE });
    await cron();
    expect(await downloads()).toBe(2);
    vi.setSystemTime(DAY1 + DAY);
    await visit(FILE, { ua: IPHONE });
    await cron();
    const days = (await stats('day')).rows.map((r: any) => [r.key, r.downloads]);
    expect(days).toEqual([
      ['2026-12-06', 2],
      ['2026-12-07', 1],
    ]);
    expect(await downloads()).toBe(3);
    // The day's listeners are forgotten with the day after: nothing names an address or a User-Agent.
    const text = JSON.stringify(await storeTables());
    expect(text).not.toContain('203.0.113');
    expect(text).not.toContain('AppleCoreMedia');
  });

  it('bytes=0-1 is ignored; ranges add up per listener and count once they reach a minute of the file', async () => {
    vi.useFakeTimers({ toFake: ['Date'], now: DAY1 });
    expect((await visit(FILE, { ua: IPHONE, ...range('bytes=0-1') })).status).toBe(206);
    await cron();
    expect(await rawPoints()).toEqual([]);
    expect(await downloads()).toBe(0);
    await visit(FILE, { ua: IPHONE, ...range('bytes=0-65535') });
    await visit(FILE, { ua: IPHONE, ...range('bytes=65536-131071') });
    await cron();
    // 131,072 bytes: under a minute (166,764).
    expect(await downloads()).toBe(0);
    // The same bytes again from another listener do not add to this one's.
    await visit(FILE, { ua: OVERCAST, ...range('bytes=0-131071') });
    await visit(FILE, { ua: IPHONE, ...range(`bytes=131072-${MINUTE - 2}`) });
    await cron();
    expect(await downloads()).toBe(0);
    // One byte more reaches the minute; what follows that day adds nothing.
    await visit(FILE, { ua: IPHONE, ...range(`bytes=${MINUTE - 1}-${MINUTE - 1}`) });
    await visit(FILE, { ua: IPHONE, ...range('bytes=200000-') });
    await cron();
    expect(await downloads()).toBe(1);
  });

  it('open-ended and suffix ranges run to the end of the file; several ranges in one request are their union', async () => {
    vi.useFakeTimers({ toFake: ['Date'], now: DAY1 });
    await visit(FILE, { ua: IPHONE, address: '198.51.100.1', ...range(`bytes=${SIZE - MINUTE + 1}-`) });
    await visit(FILE, { ua: IPHONE, address: '198.51.100.2', ...range(`bytes=${SIZE - MINUTE}-`) });
    await visit(FILE, { ua: IPHONE, address: '198.51.100.3', ...range(`bytes=-${MINUTE}`) });
    await visit(FILE, { ua: IPHONE, address: '198.51.100.4', ...range('bytes=0-99999, 50000-149999') });
    await visit(FILE, { ua: IPHONE, address: '198.51.100.5', ...range('bytes=0-99999, 100000-199999') });
    await visit(FILE, { ua: IPHONE, address: '198.51.100.6', ...range(`bytes=${SIZE}-`) });
    await cron();
    // .2 (a minute to the end), .3 (the last minute) and .5 (200,000 bytes); not .1 (a byte short),
    // .4 (overlapping ranges: 150,000), .6 (past the end: 416, nothing handed over).
    expect(await downloads()).toBe(3);
  });

  it('HEAD, bots, libraries, podcast services and requests without a User-Agent are not downloads; DNT is no download rule', async () => {
    vi.useFakeTimers({ toFake: ['Date'], now: DAY1 });
    const agents = [
      'Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)',
      'curl/8.5.0',
      'Podchaser-Parser',
      'iTMS',
      'Lavf/60.3.100',
      'Feedly/1.0 (+http://www.feedly.com/fetcher.html; 42 subscribers)',
      null,
    ];
    expect((await visit(FILE, { method: 'HEAD', ua: IPHONE })).status).toBe(200);
    for (const [i, ua] of agents.entries()) expect((await visit(FILE, { ua, address: `192.0.2.${i + 1}` })).status).toBe(200);
    await cron();
    expect(await downloads()).toBe(0);
    // The IAB counts what was asked for: a listener's app sending DNT or Sec-GPC is still a download.
    await visit(FILE, { ua: BROWSER, headers: { DNT: '1', 'Sec-GPC': '1' } });
    await cron();
    expect(await downloads()).toBe(1);
  });

  it('a file under a minute counts only whole; an external one counts from what was asked of the 302', async () => {
    vi.useFakeTimers({ toFake: ['Date'], now: DAY1 });
    await visit('/download/short/harbour-drill.mp4', { ua: IPHONE, ...range('bytes=0-50000') });
    await cron();
    expect(await downloads('short')).toBe(0);
    await visit('/download/short/harbour-drill.mp4', { ua: IPHONE, ...range('bytes=50001-') });
    await cron();
    expect(await downloads('short')).toBe(1);
    // 6,000,000 bytes over 600 s: a minute is 600,000 bytes.
    await visit('/download/far/far%20away.mp4', { ua: IPHONE, ...range('bytes=0-599998') });
    await cron();
    expect(await downloads('far')).toBe(0);
    await visit('/download/far/far%20away.mp4', { ua: OVERCAST });
    await cron();
    expect(await downloads('far')).toBe(1);
  });

  it('through the runtime too: SELF.fetch is counted after the answer, the point keeping the enclosure path and the bytes', async () => {
    expect((await SELF.fetch(`${ORIGIN}${FILE}`, { headers: { 'User-Agent': IPHONE, Range: 'bytes=0-99' } })).status).toBe(206);
    for (let i = 0; i < 100 && (await rawPoints()).length === 0; i++) await sleep(20);
    expect((await rawPoints()).map((p) => [p.kind, p.key, p.doc, p.bytes, p.minute, p.status])).toEqual([
      ['download', 'clip', FILE, 100, MINUTE, 206],
    ]);
  });

  it('arbitrary Range headers and User-Agents: never a 5xx, never more than one download per listener a day', async () => {
    vi.useFakeTimers({ toFake: ['Date'], now: DAY1 });
    const rangeHeader = fc.oneof(
      fc.string({ maxLength: 40 }),
      fc
        .array(fc.tuple(fc.option(fc.nat({ max: SIZE * 2 })), fc.option(fc.nat({ max: SIZE * 2 }))), { minLength: 1, maxLength: 4 })
        .map((specs) => `bytes=${specs.map(([a, b]) => `${a ?? ''}-${b ?? ''}`).join(',')}`),
    );
    const agent = fc.oneof(fc.constantFrom(IPHONE, OVERCAST, BROWSER, 'curl/8', ''), fc.string({ maxLength: 60 }));
    let run = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.record({ range: fc.option(rangeHeader), ua: agent }), { minLength: 1, maxLength: 6 }),
        async (requests) => {
          const address = `10.0.${Math.floor(run / 250)}.${run++ % 250}`;
          const before = await downloads();
          for (const r of requests) {
            const headers: Record<string, string> = r.range === null ? {} : { Range: r.range };
            // Headers a Request refuses (control characters) are not a request anyone can send.
            if (!sendable({ 'User-Agent': r.ua, ...headers })) continue;
            expect((await visit(FILE, { ua: r.ua, address, headers })).status).toBeLessThan(500);
          }
          await cron();
          // At most one download per listener (address and User-Agent) that day.
          const listeners = new Set(requests.map((r) => r.ua)).size;
          expect((await downloads()) - before).toBeLessThanOrEqual(listeners);
        },
      ),
      { numRuns: 25 },
    );
  });
});

describe('the feeds point their enclosures through the route', () => {
  it('RSS, Atom, Media RSS and JSON Feed name /download/…; each answers the file with the length the feed says; the page keeps /media', async () => {
    const url = `${ORIGIN}${FILE}`;
    const rss = parseXml(await (await SELF.fetch(`${ORIGIN}/videos/feed.xml`)).text()).rss.channel;
    const item = [rss.item].flat().find((i: any) => i.guid['#text'].endsWith(':clip'));
    expect(item.enclosure).toMatchObject({ '@url': url, '@length': String(SIZE), '@type': 'video/mp4' });
    expect(item['media:content']['@url']).toBe(url);
    const atom = parseXml(await (await SELF.fetch(`${ORIGIN}/videos/feed.atom`)).text()).feed;
    const entry = [atom.entry].flat().find((e: any) => String(e.id).endsWith(':clip'));
    expect([entry.link].flat().find((l: any) => l['@rel'] === 'enclosure')['@href']).toBe(url);
    const json = await (await SELF.fetch(`${ORIGIN}/videos/feed.json`)).json<any>();
    const attachment = json.items.find((i: any) => i.id.endsWith(':clip')).attachments[0];
    expect(attachment).toMatchObject({ url, size_in_bytes: SIZE });
    const res = await SELF.fetch(attachment.url);
    expect(res.status).toBe(200);
    expect((await res.arrayBuffer()).byteLength).toBe(attachment.size_in_bytes);
    // Plays are not downloads: the page's player and the embed keep the file's own address.
    for (const page of ['/videos/clip', '/embed/clip']) {
      const html = await (await SELF.fetch(`${ORIGIN}${page}`)).text();
      expect(html, page).toContain('<source src="http://127.0.0.1:8787/media/liaison-office.mp4"');
      expect(html, page).not.toContain('/download/');
    }
  });
});
