// Who gets an item and when, with fixed clocks: rights, scope, embargo, expiry, scheduling, preflight,
// and the instant the answer next changes (for the writer's alarm).
import { describe, expect, it } from 'vitest';
import { decide, inScope, takedownDue } from '../../src/partners/decide';
import type { PartnerRecord } from '../../src/partners/types';
import { SITE, contentRecords, partner } from '../partner-fixtures';

const T = (s: string) => Date.parse(s);
const base = (): PartnerRecord => {
  const r = contentRecords().find((x) => x.kind === 'video' && x.image) as PartnerRecord;
  return { ...r, title: 'A title long enough for MSN to take it', published: '2026-03-01T00:00:00Z', updated: undefined };
};
const rss = partner('rss');
const now = T('2026-03-10T00:00:00Z');

describe('decide', () => {
  it('by default every partner gets a published item, and nothing changes by itself', () => {
    expect(decide(base(), rss, SITE, now)).toEqual({ deliver: 'item', refusals: [] });
  });

  it('syndication "none" never reaches a partner, not even as a takedown', () => {
    const item = { ...base(), rights: { syndication: 'none' as const, expires: '2026-03-05T00:00:00Z' } };
    for (const p of [rss, partner('msn'), partner('ninjs')]) {
      const d = decide(item, p, SITE, now);
      expect(d.deliver).toBe('none');
      expect(d.refusals.map((r) => r.reason)).toEqual(['syndication none']);
    }
  });

  it('a list of partners: only those listed', () => {
    const item = { ...base(), rights: { syndication: ['rss-partner'] } };
    expect(decide(item, rss, SITE, now).deliver).toBe('item');
    const d = decide(item, partner('ninjs'), SITE, now);
    expect(d).toEqual({
      deliver: 'none',
      refusals: [{ reason: 'not listed', message: 'rights.syndication does not list "ninjs-partner"' }],
    });
  });

  it('scope: every filter given must match, any value within one, names compared as names', () => {
    const item = { ...base(), section: 'World', tags: ['North Korea', 'Seoul'] };
    expect(inScope({ scope: { kinds: ['video'], sections: ['world'], tags: ['seoul', 'Tokyo'] } }, item)).toBe(true);
    expect(inScope({ scope: { kinds: ['article'] } }, item)).toBe(false);
    expect(inScope({ scope: { sections: ['Business'] } }, item)).toBe(false);
    expect(inScope({ scope: { tags: ['tokyo'] } }, item)).toBe(false);
    expect(inScope({ scope: { sections: ['World'] } }, { ...item, section: undefined })).toBe(false);
    expect(decide(item, partner('rss', { scope: { tags: ['Tokyo'] } }), SITE, now).refusals[0]?.reason).toBe('out of scope');
  });

  it('an embargo holds the item until its end, which is when the decision next changes; the partner\'s own beats "*"', () => {
    const item = { ...base(), rights: { embargo: { '*': '2026-03-12T00:00:00Z', 'rss-partner': '2026-03-11T00:00:00Z' } } };
    expect(decide(item, rss, SITE, now)).toEqual({
      deliver: 'none',
      refusals: [{ reason: 'embargoed', message: 'embargoed until 2026-03-11T00:00:00Z', until: '2026-03-11T00:00:00Z' }],
      nextChange: T('2026-03-11T00:00:00Z'),
    });
    expect(decide(item, partner('ninjs'), SITE, now).nextChange).toBe(T('2026-03-12T00:00:00Z'));
    expect(decide(item, rss, SITE, T('2026-03-11T00:00:00Z')).deliver).toBe('item');
  });

  it("an expiry: delivered until then (the next change), then an expiry in the partner's idiom", () => {
    const item = { ...base(), rights: { expires: '2026-03-20T00:00:00Z' } };
    expect(decide(item, rss, SITE, now)).toEqual({ deliver: 'item', refusals: [], nextChange: T('2026-03-20T00:00:00Z') });
    const after = decide(item, rss, SITE, T('2026-03-20T00:00:00Z'));
    expect(after.deliver).toBe('expired');
    expect(after.refusals).toEqual([{ reason: 'expired', message: 'expired at 2026-03-20T00:00:00Z', at: '2026-03-20T00:00:00Z' }]);
    expect(after.nextChange).toBeUndefined();
  });

  it('an item embargoed past its expiry never reaches the partner at all', () => {
    const item = { ...base(), rights: { embargo: { '*': '2026-03-25T00:00:00Z' }, expires: '2026-03-20T00:00:00Z' } };
    expect(decide(item, rss, SITE, T('2026-03-21T00:00:00Z')).deliver).toBe('none');
    expect(decide(item, rss, SITE, now).nextChange).toBe(T('2026-03-20T00:00:00Z'));
  });

  it('a scheduled item waits for its publication', () => {
    const item = { ...base(), published: '2026-03-15T00:00:00Z' };
    const d = decide(item, rss, SITE, now);
    expect(d.deliver).toBe('none');
    expect(d.refusals.map((r) => r.reason)).toEqual(['scheduled']);
    expect(d.nextChange).toBe(T('2026-03-15T00:00:00Z'));
  });

  it("preflight refusals keep the item from that partner only, and MSN's 365-day window is a next change", () => {
    const item = { ...base(), title: 'Too short' };
    const msn = decide(item, partner('msn'), SITE, now);
    expect(msn.deliver).toBe('none');
    expect(msn.refusals[0]).toMatchObject({ reason: 'preflight', problems: [{ field: 'title' }] });
    expect(decide(item, rss, SITE, now).deliver).toBe('item');
    const fine = decide(base(), partner('msn'), SITE, now);
    expect(fine).toEqual({ deliver: 'item', refusals: [], nextChange: T('2026-03-01T00:00:00Z') + 365 * 86_400_000 });
  });

  it('a withdrawal reaches only partners that had the item just before', () => {
    const at = T('2026-03-10T00:00:00Z');
    expect(takedownDue(base(), rss, SITE, at)).toBe(true);
    expect(takedownDue({ ...base(), rights: { embargo: { '*': '2026-03-11T00:00:00Z' } } }, rss, SITE, at)).toBe(false);
    expect(takedownDue({ ...base(), rights: { syndication: 'none' } }, rss, SITE, at)).toBe(false);
    expect(takedownDue({ ...base(), title: 'Too short' }, partner('msn'), SITE, at)).toBe(false);
    expect(takedownDue(base(), partner('msn'), SITE, at)).toBe(true);
  });
});
