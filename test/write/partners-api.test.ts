// Issue 16 §1, §5, §6: partners as data through the API, their documents in KV after a publish,
// scope, wire copy that never reaches a partner, and preflight refusals that leave an item out of
// one partner only.
import { describe, expect, it } from 'vitest';
import { api, get, parseXml, publish } from '../helpers';
import { article, allPartnerText, linkOf, feedItems, iso, ninjsItem, ninjsList, partnerKeys, putPartner } from '../partners-helpers';

const MSN = { name: 'MSN Start', profile: 'msn' };
const LIC = { name: 'World Licensee', profile: 'ninjs', scope: { sections: ['World'] } };

describe('partners as data', () => {
  it('creates, reads, lists, changes and deletes a partner', async () => {
    const created = await api('PUT', '/partners/msn-start', MSN);
    expect(created.status).toBe(201);
    expect(await created.json()).toMatchObject({ id: 'msn-start', created: true, changed: true });
    const same = await api('PUT', '/partners/msn-start', MSN);
    expect(same.status).toBe(200);
    expect(await same.json()).toMatchObject({ created: false, changed: false });
    const got = await (await api('GET', '/partners/msn-start')).json<any>();
    expect(got.partner).toEqual(MSN);
    expect(got.meta).toMatchObject({ id: 'msn-start', paths: { feed: '/partners/msn-start/feed.xml' } });
    const changed = await api('PUT', '/partners/msn-start', { ...MSN, content: 'summary' });
    expect(changed.status).toBe(200);
    expect(await changed.json()).toMatchObject({ created: false, changed: true });
    await putPartner('lic', LIC);
    const list = await (await api('GET', '/partners')).json<any>();
    expect(list.partners.map((p: any) => [p.id, p.profile])).toEqual([
      ['lic', 'ninjs'],
      ['msn-start', 'msn'],
    ]);
    expect(list.partners[0].paths).toEqual({ items: '/partners/lic/items.json' });
    const gone = await api('DELETE', '/partners/msn-start');
    expect(gone.status).toBe(200);
    expect((await api('GET', '/partners/msn-start')).status).toBe(404);
    expect((await api('DELETE', '/partners/msn-start')).status).toBe(404);
  });

  it('refuses an unknown profile, a bad scope and a bad id with 422 naming the field, and changes nothing', async () => {
    const cases: [string, unknown, string][] = [
      ['/partners/p1', { name: 'P', profile: 'aol' }, 'profile'],
      ['/partners/p1', { name: 'P', profile: 'rss', scope: { kinds: ['audio'] } }, 'scope.kinds[0]'],
      ['/partners/p1', { name: 'P', profile: 'rss', scope: { sections: [] } }, 'scope.sections'],
      ['/partners/p1', { name: 'P', profile: 'rss', scope: { places: ['x'] } }, 'scope.places'],
      ['/partners/Not_An_Id', { name: 'P', profile: 'rss' }, 'id'],
    ];
    for (const [path, body, field] of cases) {
      const res = await api('PUT', path, body);
      expect(res.status, JSON.stringify(body)).toBe(422);
      expect((await res.json<any>()).field).toBe(field);
    }
    expect((await (await api('GET', '/partners')).json<any>()).partners).toEqual([]);
    expect(await partnerKeys()).toEqual([]);
  });

  it('refuses rights naming a partner that does not exist, or an expiry before publication, with 422 naming the field', async () => {
    await putPartner('lic', LIC);
    const published = Date.now() - 60_000;
    const cases: [Record<string, unknown>, string][] = [
      [{ embargo: { nobody: iso(Date.now() + 60_000) } }, 'rights.embargo.nobody'],
      [{ syndication: ['lic', 'ghost'] }, 'rights.syndication[1]'],
      [{ expires: iso(published - 1000) }, 'rights.expires'],
      [{ syndication: 'some' }, 'rights.syndication'],
    ];
    for (const [rights, field] of cases) {
      const res = await api('PUT', '/items/story-1', article(1, { published: iso(published), rights }));
      expect(res.status, JSON.stringify(rights)).toBe(422);
      expect((await res.json<any>()).field).toBe(field);
    }
    expect((await api('GET', '/items/story-1')).status).toBe(404);
    expect((await get('/feed.xml')).status).toBe(404);
  });
});

describe('partner documents', () => {
  it('a publish writes each partner its documents, within its scope, parsed by real parsers', async () => {
    await putPartner('msn-start', MSN);
    await putPartner('lic', LIC);
    await publish(article(1));
    await publish(article(2, { section: 'Business' }));
    const msn = await feedItems('msn-start');
    expect(msn.map(linkOf)).toEqual(['http://127.0.0.1:8787/articles/story-2', 'http://127.0.0.1:8787/articles/story-1']);
    const lic = await ninjsList('lic');
    expect(lic.map((o) => [o.slugline, o.pubStatus])).toEqual([['story-1', 'usable']]);
    expect((await ninjsItem('lic', 'story-1')).headlines[0].value).toBe(article(1).title);
    expect(await ninjsItem('lic', 'story-2')).toBeNull();
    // The public feeds carry both, as before.
    expect(parseXml(await (await get('/feed.xml')).text()).rss.channel.item).toHaveLength(2);
  });

  it('wire copy (syndication "none") reaches no partner document while the public feeds carry it', async () => {
    await putPartner('msn-start', MSN);
    await putPartner('lic', LIC);
    await putPartner('all-rss', { name: 'Everything', profile: 'rss' });
    await publish(article(1));
    await publish(article(2, { slug: 'wire-copy', rights: { syndication: 'none', credit: 'Wire Agency' } }));
    expect(await allPartnerText()).toContain('story-1');
    expect(await allPartnerText()).not.toContain('wire-copy');
    expect(await ninjsItem('lic', 'wire-copy')).toBeNull();
    const pub = parseXml(await (await get('/feed.xml')).text()).rss.channel.item;
    expect(pub.map(linkOf)).toContain('http://127.0.0.1:8787/articles/wire-copy');
    const meta = (await (await api('GET', '/items/wire-copy')).json<any>()).meta;
    expect(Object.keys(meta.preflight).sort()).toEqual(['all-rss', 'lic', 'msn-start']);
    for (const reasons of Object.values(meta.preflight) as any[]) expect(reasons.map((r: any) => r.reason)).toEqual(['syndication none']);
    const ok = (await (await api('GET', '/items/story-1')).json<any>()).meta.preflight;
    expect(ok).toEqual({ 'all-rss': [], lic: [], 'msn-start': [] });
  });

  it('a picture marked syndication false stays out of partner documents, and in the public ones', async () => {
    await putPartner('lic', LIC);
    await publish(article(1, { image: { url: '/media/private.jpg', width: 1200, height: 800, alt: 'Ours only', syndication: false } }));
    const obj = await ninjsItem('lic', 'story-1');
    expect(obj.pubStatus).toBe('usable');
    expect(obj.associations).toBeUndefined();
    expect(JSON.stringify(obj)).not.toContain('private.jpg');
    expect(await (await get('/feed.xml')).text()).toContain('private.jpg');
  });

  it('an item one partner refuses (preflight) is left out of that partner only, and its preflight says why', async () => {
    await putPartner('msn-start', MSN);
    await putPartner('lic', LIC);
    await publish(article(1));
    await publish(article(2, { title: 'Too short' }));
    expect((await feedItems('msn-start')).map(linkOf)).toEqual(['http://127.0.0.1:8787/articles/story-1']);
    expect((await ninjsList('lic')).map((o) => o.slugline)).toEqual(['story-2', 'story-1']);
    const pf = await (await api('GET', '/partners/msn-start/preflight')).json<any>();
    const refused = pf.items.find((i: any) => i.slug === 'story-2');
    expect(refused.deliver).toBe('none');
    expect(refused.refusals[0]).toMatchObject({ reason: 'preflight', problems: [{ field: 'title' }] });
    expect(pf.items.find((i: any) => i.slug === 'story-1')).toMatchObject({ deliver: 'item', refusals: [] });
    expect(pf.counts).toMatchObject({ items: 2, delivered: 1, refused: 1, dropped: 0 });
    expect((await api('GET', '/partners/nobody/preflight')).status).toBe(404);
  });

  it('changing a partner rebuilds its documents alone; deleting it deletes them', async () => {
    await putPartner('lic', LIC);
    await putPartner('msn-start', MSN);
    await publish(article(1));
    await publish(article(2, { section: 'Business' }));
    const msnBefore = await partnerKeys();
    await putPartner('lic', { ...LIC, scope: { sections: ['Business'] } });
    expect((await ninjsList('lic')).map((o) => o.slugline)).toEqual(['story-2']);
    expect(await ninjsItem('lic', 'story-1')).toBeNull();
    expect(await ninjsItem('lic', 'story-2')).not.toBeNull();
    // From ninjs to RSS: the list and item documents go, the feed comes.
    await putPartner('lic', { name: 'World Licensee', profile: 'rss' });
    expect((await partnerKeys()).filter((k) => k.includes('/lic/'))).toEqual(['partner:/partners/lic/feed.xml']);
    expect((await api('DELETE', '/partners/lic')).status).toBe(200);
    expect((await partnerKeys()).filter((k) => k.includes('/lic/'))).toEqual([]);
    expect(await partnerKeys()).toEqual(msnBefore.filter((k) => !k.includes('/lic/')));
  });
});
