// The IAB rules for one request: the bytes a Range asks for, a minute of a file, who is no listener, the listener's address.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isFirstTwoBytes, isNotListener, minuteBytes, requestedBytes } from '../../src/audience/download-rules';
import { visitorAddress } from '../../src/audience/keys';

describe('requested bytes', () => {
  it('reads whole, closed, open, suffix and several ranges, held to the file, overlaps once', () => {
    const cases: [string | null, number][] = [
      [null, 1000],
      ['bytes=0-99', 100],
      ['bytes=900-', 100],
      ['bytes=900-5000', 100],
      ['bytes=-10', 10],
      ['bytes=-5000', 1000],
      ['bytes=0-99, 50-149', 150],
      ['bytes=0-9,20-29,-10', 30],
      ['bytes=1000-', 0],
      ['BYTES = 0-0', 1],
      // Not a Range a server honours: the whole file is sent.
      ['bytes=9-0', 1000],
      ['items=0-9', 1000],
      ['bytes=', 1000],
      ['bytes=-', 1000],
    ];
    for (const [header, bytes] of cases) expect(requestedBytes(header, 1000), String(header)).toBe(bytes);
  });

  it('never less than nothing nor more than the file, whatever the header', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string({ maxLength: 60 }), fc.constant('bytes=0-1')), fc.integer({ min: 1, max: 1e12 }), (h, size) => {
        const n = requestedBytes(h, size);
        expect(Number.isInteger(n) && n >= 0 && n <= size).toBe(true);
      }),
      { numRuns: 2000 },
    );
  });

  it('bytes=0-1 alone is the probe the IAB ignores; with another range it is not', () => {
    expect(isFirstTwoBytes('bytes=0-1')).toBe(true);
    expect(isFirstTwoBytes('bytes=0-1,5-9')).toBe(false);
    expect(isFirstTwoBytes('bytes=0-')).toBe(false);
    expect(isFirstTwoBytes(null)).toBe(false);
  });
});

describe('a minute of a file', () => {
  it('is size over duration times 60, rounded up; the whole file at a minute or less', () => {
    expect(minuteBytes(372_439, 134)).toBe(166_764);
    expect(minuteBytes(6_000_000, 600)).toBe(600_000);
    expect(minuteBytes(82_162, 30)).toBe(82_162);
    expect(minuteBytes(82_162, 60)).toBe(82_162);
  });
});

describe('who is not a listener', () => {
  it('players and apps are listeners; bots, libraries, aggregators, podcast services and no User-Agent are not', () => {
    const listeners = [
      'AppleCoreMedia/1.0.0.21E236 (iPhone; U; CPU OS 17_4 like Mac OS X; en_us)',
      'Podcasts/1650.20 CFNetwork/1390 Darwin/22.0.0',
      'Overcast/3.0 (+http://overcast.fm/; iOS podcast app)',
      'PocketCasts/1.0 (Pocket Casts; +http://pocketcasts.com/)',
      'Spotify/8.8.0 Android/33 (SM-G991B)',
      'Mozilla/5.0 (X11; Linux x86_64; rv:140.0) Gecko/20100101 Firefox/140.0',
      'PodcastAddict/v5 (+https://podcastaddict.com/; Android podcast app)',
    ];
    const not = [
      null,
      '',
      'Googlebot/2.1 (+http://www.google.com/bot.html)',
      'curl/8.5.0',
      'python-requests/2.31',
      'Feedly/1.0 (+http://www.feedly.com/fetcher.html; 42 subscribers)',
      'Podchaser-Parser',
      'iTMS',
      'Lavf/60.3.100',
      'Overcast/1.0 Podcast Sync (123 subscribers; feed-id=456; +http://overcast.fm/)',
      'PodcastIndex.org/1.0',
    ];
    for (const ua of listeners) expect(isNotListener(ua), ua).toBe(false);
    for (const ua of not) expect(isNotListener(ua), String(ua)).toBe(true);
  });
});

describe("a listener's address", () => {
  it("IPv6 is cut to its /64 (the IAB, 2.1), IPv4 kept whole (it is hashed with the day's salt, never stored)", () => {
    expect(visitorAddress('2001:db8:85a3:8d3:1319:8a2e:370:7348')).toBe('2001:db8:85a3:8d3::/64');
    expect(visitorAddress('2001:db8::1')).toBe('2001:db8:0:0::/64');
    expect(visitorAddress('2001:db8:1:2::')).toBe('2001:db8:1:2::/64');
    expect(visitorAddress('2001:DB8:0001:0002:aaaa::1')).toBe('2001:db8:1:2::/64');
    expect(visitorAddress('203.0.113.7')).toBe('203.0.113.7');
    expect(visitorAddress('')).toBe('');
    // An IPv4 address in IPv6 clothing is that device's own, not a /64 every such address shares.
    expect(visitorAddress('::ffff:203.0.113.7')).toBe('::ffff:203.0.113.7');
    expect(visitorAddress('not:an:address')).toBe('not:an:address');
  });
});
