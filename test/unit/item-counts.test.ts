// The counts an item shows: pluralised by Intl.PluralRules, digits by Intl.NumberFormat, the newsroom's
// stats plus what was measured, and the schema.org counters they become.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { ItemRecord } from '../../src/model/schema';
import { countText, countsLine, interactionStatistic, shownCounts, watched } from '../../src/render/item-counts';

describe('count words', () => {
  it('say 0 views, 1 view, 2 views, 1,000 views', () => {
    expect([0, 1, 2, 1000].map((n) => countText(n, 'views', 'en'))).toEqual(['0 views', '1 view', '2 views', '1,000 views']);
    expect(countText(1, 'shares', 'en-GB')).toBe('1 share');
    expect(countText(1_234_567, 'plays', 'en')).toBe('1,234,567 plays');
  });

  it('stay English, with English rules, for a site in a language they have no words for', () => {
    // French counts 0 as singular; the words are English, so their rules are too.
    expect(countText(0, 'views', 'fr')).toBe('0 views');
    expect(countText(1000, 'views', 'de-AT')).toBe('1,000 views');
  });

  it('are singular exactly for one, whatever the number', () => {
    fc.assert(
      fc.property(fc.nat(), (n) => {
        const t = countText(n, 'views', 'en');
        expect(t).toMatch(/^\d{1,3}(,\d{3})* views?$/);
        expect(t.endsWith(' view')).toBe(n === 1);
        expect(Number(t.split(' ')[0]?.replaceAll(',', ''))).toBe(n);
      }),
    );
  });

  it('line up as the seed does: shares and views always, plays once there are any', () => {
    expect(countsLine({ views: 1, shares: 0, plays: 0 }, 'en')).toBe('0 shares · 1 view');
    expect(countsLine({ views: 12, shares: 3, plays: 1 }, 'en')).toBe('3 shares · 12 views · 1 play');
  });
});

describe('shown counts', () => {
  const item = (stats?: { views: number; shares: number }) => ({ ...(stats ? { stats } : {}) }) as ItemRecord;

  it('are none without stats or measurements, so such an item renders as before', () => {
    expect(shownCounts(item(), null)).toBeNull();
  });

  it('add what was measured to the newsroom’s stats', () => {
    expect(shownCounts(item({ views: 100, shares: 2 }), null)).toEqual({ views: 100, shares: 2, plays: 0 });
    expect(shownCounts(item({ views: 100, shares: 2 }), { views: 5, shares: 1, plays: 7 })).toEqual({ views: 105, shares: 3, plays: 7 });
    expect(shownCounts(item(), { views: 5, shares: 0, plays: 0 })).toEqual({ views: 5, shares: 0, plays: 0 });
  });

  it('become WatchAction (views and plays) for a video, ViewAction for an article, ShareAction for both', () => {
    const c = { views: 5, shares: 2, plays: 3 };
    expect(watched(c)).toBe(8);
    const types = (s: any[]) => s.map((x) => [x['@type'], x.interactionType['@type'], x.userInteractionCount]);
    expect(types(interactionStatistic('video', c))).toEqual([
      ['InteractionCounter', 'WatchAction', 8],
      ['InteractionCounter', 'ShareAction', 2],
    ]);
    expect(types(interactionStatistic('article', c))).toEqual([
      ['InteractionCounter', 'ViewAction', 5],
      ['InteractionCounter', 'ShareAction', 2],
    ]);
  });
});
