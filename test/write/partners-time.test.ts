// Issue 16 §6: rights over time. A per-partner embargo is released by the writer's alarm; an expiry
// and a withdrawal reach each partner in its own idiom (SmartNews: the item again, media:status
// deleted, a newer pubDate; ninjs: pubStatus canceled), while a withdrawn item's public page answers 410.
import { runDurableObjectAlarm } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { api, get, publish, publisherStub, sleep } from '../helpers';
import { article, feedItems, iso, linkOf, ninjsItem, ninjsList, putPartner } from '../partners-helpers';

const SNEWS = { name: 'SmartNews', profile: 'smartnews' };
const LIC = { name: 'Licensee', profile: 'ninjs' };

/** Waits past `at`, then runs the writer's alarm (Miniflare may have fired it already: either way it has run). */
async function alarmAfter(at: number): Promise<void> {
  await sleep(Math.max(0, at - Date.now()) + 50);
  await runDurableObjectAlarm(publisherStub());
}

describe('rights over time', () => {
  it('a per-partner embargo holds the item from that partner only, until the alarm releases it', async () => {
    await putPartner('snews', SNEWS);
    await putPartner('lic', LIC);
    // A whole second: ninjs states times to the second.
    const until = Math.ceil((Date.now() + 1500) / 1000) * 1000;
    await publish(article(1, { rights: { embargo: { lic: iso(until) } } }));
    expect((await feedItems('snews')).map(linkOf)).toEqual(['http://127.0.0.1:8787/articles/story-1']);
    expect(await ninjsList('lic')).toEqual([]);
    expect(await ninjsItem('lic', 'story-1')).toBeNull();
    const pf = await (await api('GET', '/partners/lic/preflight')).json<any>();
    expect(pf.items[0].refusals[0]).toMatchObject({ reason: 'embargoed', until: iso(until) });
    await alarmAfter(until);
    expect((await ninjsList('lic')).map((o) => [o.slugline, o.pubStatus])).toEqual([['story-1', 'usable']]);
    expect(Date.parse((await ninjsItem('lic', 'story-1')).embargoedUntil)).toBe(until);
  });

  it('an expiry reaches each partner in its idiom: SmartNews deleted with a newer date, ninjs canceled', async () => {
    await putPartner('snews', SNEWS);
    await putPartner('lic', LIC);
    const expires = Date.now() + 1500;
    await publish(article(1, { rights: { expires: iso(expires) } }));
    const [before] = await feedItems('snews');
    expect(before['media:status']).toBeUndefined();
    await alarmAfter(expires);
    const [after] = await feedItems('snews');
    expect(linkOf(after)).toBe('http://127.0.0.1:8787/articles/story-1');
    expect(after['media:status']).toBe('deleted');
    expect(Date.parse(after.pubDate)).toBeGreaterThan(Date.parse(before.pubDate));
    expect((await ninjsItem('lic', 'story-1')).pubStatus).toBe('canceled');
    expect((await ninjsList('lic')).map((o) => o.pubStatus)).toEqual(['canceled']);
    // Rights are the partners' terms: the public page stays.
    expect((await get('/articles/story-1')).status).toBe(200);
  });

  it('a withdrawal reaches the partners that had the item, in their idiom, while its public page answers 410', async () => {
    await putPartner('snews', SNEWS);
    await putPartner('lic', LIC);
    await putPartner('elsewhere', { name: 'Elsewhere', profile: 'ninjs', scope: { sections: ['Business'] } });
    await putPartner('msn-start', { name: 'MSN Start', profile: 'msn' });
    await publish(article(1));
    await publish(article(2));
    const before = (await feedItems('snews')).find((i) => linkOf(i).endsWith('/story-1'));
    expect((await api('DELETE', '/items/story-1')).status).toBe(200);
    expect((await get('/articles/story-1')).status).toBe(410);
    const items = await feedItems('snews');
    const gone = items.find((i) => linkOf(i).endsWith('/story-1'));
    expect(gone['media:status']).toBe('deleted');
    expect(Date.parse(gone.pubDate)).toBeGreaterThan(Date.parse(before.pubDate));
    expect(items.find((i) => linkOf(i).endsWith('/story-2'))['media:status']).toBeUndefined();
    const canceled = await ninjsItem('lic', 'story-1');
    expect(canceled.pubStatus).toBe('canceled');
    expect(canceled.bodies).toBeUndefined();
    expect((await ninjsList('lic')).map((o) => [o.slugline, o.pubStatus])).toEqual([
      ['story-1', 'canceled'],
      ['story-2', 'usable'],
    ]);
    // MSN: the same guid with an expiration that has passed.
    const msn = (await feedItems('msn-start')).find((i) => linkOf(i).endsWith('/story-1'));
    const end = /^end=([^;]+); scheme=W3C-DTF$/.exec(msn['dcterms:valid'])?.[1];
    expect(Date.parse(end as string)).toBeLessThanOrEqual(Date.now());
    // A partner that never had it hears nothing of it.
    expect(await ninjsList('elsewhere')).toEqual([]);
    expect(await ninjsItem('elsewhere', 'story-1')).toBeNull();
  });

  it('a scheduled item reaches partners when the alarm publishes it', async () => {
    await putPartner('lic', LIC);
    const at = Date.now() + 1500;
    await publish(article(1, { published: iso(at) }));
    expect(await ninjsItem('lic', 'story-1')).toBeNull();
    await alarmAfter(at);
    expect((await ninjsItem('lic', 'story-1')).pubStatus).toBe('usable');
  });
});
