// Turns a writer job into the documents it owes KV: which items, which pages, which formats.
import {
  CONTENT_TYPES,
  DIRECTORY,
  FEED_FORMATS,
  GONE,
  NEWS_SITEMAP,
  OPML,
  REDIRECT,
  SCOPES_SITEMAP,
  SITEMAP_INDEX,
  embedPath,
  feedPath,
  itemPath,
  pagePath,
  byScopeKind,
  sitemapPath,
  slugPaths,
  transcriptPath,
  type Scope,
} from '../model/paths';
import type { ItemRecord, Site, StoredItem } from '../model/schema';
import { renderDocWithin } from '../render/budget';
import { renderDirectory, renderOpml, type ScopeEntry } from '../render/directory';
import { itemUrl, embedUrl, type FeedDoc } from '../render/document';
import { renderEmbedPage } from '../render/embed-page';
import { renderAtom, renderRss } from '../render/feed-adapter';
import { renderGonePage } from '../render/gone-page';
import { renderItemPage } from '../render/item-page';
import { renderJsonFeed } from '../render/json-feed';
import { renderScopePage } from '../render/scope-page';
import { SITEMAP_PAGE, renderNewsSitemap, renderScopesSitemap, renderSitemapIndex, renderSitemapPage } from '../render/sitemap';
import { docKey, itemKey, type CacheClass } from '../store/kv-store';
import type { BadRecord, ItemIndex } from './item-index';
import type { ScopeIndex } from './scope-index';
import type { Job, Ledger } from './ledger';

/** One document (or item record) a job writes, under its KV key. */
export interface Put {
  key: string;
  body: string;
  type: string;
  cache: CacheClass;
}

/** What one job changes in KV: documents to write, keys to delete, feeds to announce to the hub. */
export interface JobOutput {
  puts: Put[];
  deletes: string[];
  /** Paths of subscription feeds it rewrites, for WebSub pings when their bytes change. */
  feeds: string[];
  /** Items left out of its lists because their stored records no longer pass the schema. */
  bad: BadRecord[];
}

/** Everything a job may read: the index, the writer's books (what KV holds), the site and the clock. */
export interface JobContext {
  items: ItemIndex;
  scopes: ScopeIndex;
  ledger: Ledger;
  site: Site;
  now: number;
  /** The Podcasting 2.0 GUID of a scope's RSS feed (a UUIDv5 of its URL). */
  podcastGuid: (scope: Scope) => Promise<string>;
}

const NEWS_WINDOW_MS = 2 * 86_400_000;

const doc = (path: string, body: string, type: string, cache: CacheClass): Put => ({ key: docKey(path), body, type, cache });

/** Renders the documents a job owes; reads the index and books, writes nothing. */
export async function runJob(ctx: JobContext, job: Job): Promise<JobOutput> {
  const out: JobOutput = { puts: [], deletes: [], feeds: [], bad: [] };
  const { items: db, site } = ctx;
  switch (job.t) {
    case 'slug':
      slugJob(ctx, job.slug, out);
      return out;
    case 'sitemap': {
      const items = db.publishedBySeq((job.page - 1) * SITEMAP_PAGE + 1, job.page * SITEMAP_PAGE);
      const pages = Math.ceil((db.nextSeq() - 1) / SITEMAP_PAGE);
      out.puts.push(
        doc(sitemapPath(job.page), renderSitemapPage(site, items), CONTENT_TYPES.sitemap, 'page'),
        doc(SITEMAP_INDEX, renderSitemapIndex(site, Math.max(1, pages)), CONTENT_TYPES.sitemap, 'page'),
      );
      return out;
    }
    case 'news':
      out.puts.push(
        doc(NEWS_SITEMAP, renderNewsSitemap(site, db.publishedBetween(ctx.now - NEWS_WINDOW_MS, ctx.now)), CONTENT_TYPES.sitemap, 'page'),
      );
      return out;
    case 'directory': {
      const entries: ScopeEntry[] = ctx.scopes
        .scopes()
        .filter((s) => s.count > 0)
        .sort((a, b) => byScopeKind(a.scope, b.scope) || a.label.localeCompare(b.label));
      out.puts.push(
        doc(DIRECTORY, renderDirectory(site, entries), CONTENT_TYPES.html, 'page'),
        doc(OPML, renderOpml(site, entries), CONTENT_TYPES.opml, 'page'),
        doc(
          SCOPES_SITEMAP,
          renderScopesSitemap(
            site,
            entries.map((e) => pagePath(e.scope)),
          ),
          CONTENT_TYPES.sitemap,
          'page',
        ),
      );
      return out;
    }
    case 'scope':
      await scopeJob(ctx, job.scope, job.page, out);
      return out;
  }
}

async function scopeJob(ctx: JobContext, scope: Scope, requested: number, out: JobOutput): Promise<void> {
  const found = ctx.scopes.page(scope, requested, ctx.site.pageSize);
  if (!found) return;
  if (requested > found.doc.page) {
    // Not an archive (any more: a larger page size has fewer): its old copies go, if KV holds them.
    const paths = [...FEED_FORMATS.map((f) => feedPath(scope, f, requested)), pagePath(scope, requested)];
    out.deletes.push(...paths.map(docKey).filter((k) => ctx.ledger.doc(k)));
    return;
  }
  out.bad.push(...found.bad);
  const d: FeedDoc = { ...found.doc, site: ctx.site };
  const guid = await ctx.podcastGuid(scope);
  const cache: CacheClass = d.page ? 'archive' : 'current';
  out.puts.push(
    doc(
      feedPath(scope, 'xml', d.page),
      renderDocWithin(d, (x) => renderRss(x, guid)),
      CONTENT_TYPES.xml,
      cache,
    ),
    doc(feedPath(scope, 'atom', d.page), renderDocWithin(d, renderAtom), CONTENT_TYPES.atom, cache),
    doc(feedPath(scope, 'json', d.page), renderDocWithin(d, renderJsonFeed), CONTENT_TYPES.json, cache),
    doc(pagePath(scope, d.page), renderDocWithin(d, renderScopePage), CONTENT_TYPES.html, d.page ? 'archive' : 'page'),
  );
  if (!d.page) out.feeds.push(...FEED_FORMATS.map((f) => feedPath(scope, f)));
}

/**
 * What a slug's addresses hold: a live item's page, player and transcript; an old address's 301 to
 * where the item went; a withdrawn item's 410 page; or nothing. Keys KV does not hold are not deleted,
 * and a 301 for an address that never held a page is not stored.
 */
function slugJob(ctx: JobContext, slug: string, out: JobOutput): void {
  const { items: db, ledger, site } = ctx;
  const wanted = new Map<string, Put>();
  const want = (path: string, body: string, type: string, onlyIfHeld = false) => {
    if (!onlyIfHeld || ledger.doc(docKey(path))) wanted.set(docKey(path), doc(path, body, type, 'page'));
  };
  let record: StoredItem | null = null;
  const live = db.liveBySlug(slug);
  const alias = live ? null : db.alias(slug);
  const target = alias?.status === 'moved' ? db.itemById(alias.id) : null;
  if (live) {
    const page = itemPath(live.kind, slug);
    want(page, renderItemPage(site, live), CONTENT_TYPES.html);
    // The same slug under the other kind: where a page once stood (the kind was changed), send people on.
    want(itemPath(live.kind === 'video' ? 'article' : 'video', slug), itemUrl(site, live), REDIRECT, true);
    if (live.video) want(embedPath(slug), renderEmbedPage(site, live), CONTENT_TYPES.html);
    if (live.transcript) want(transcriptPath(slug), `${live.transcript}\n`, CONTENT_TYPES.text);
    record = { item: card(live), site };
  } else if (alias && target?.state === 'published') {
    const to = target.record;
    want(itemPath(alias.kind, slug), itemUrl(site, to), REDIRECT);
    want(itemPath(alias.kind === 'video' ? 'article' : 'video', slug), itemUrl(site, to), REDIRECT, true);
    if (to.video) want(embedPath(slug), embedUrl(site, to), REDIRECT, alias.kind !== 'video');
    record = { movedTo: to.slug };
  } else if (alias?.status === 'gone') {
    // A moved address whose item is scheduled again holds nothing until it is released.
    const gone = renderGonePage(site);
    want(itemPath(alias.kind, slug), gone, GONE);
    want(itemPath(alias.kind === 'video' ? 'article' : 'video', slug), gone, GONE, true);
    want(embedPath(slug), gone, GONE, alias.kind !== 'video');
  }
  if (record) wanted.set(itemKey(slug), { key: itemKey(slug), body: JSON.stringify(record), type: 'application/json', cache: 'item' });
  for (const key of [...slugPaths(slug).map(docKey), itemKey(slug)]) {
    const put = wanted.get(key);
    if (put) out.puts.push(put);
    else if (ledger.doc(key)) out.deletes.push(key);
  }
}

/** What oEmbed needs of an item: the record without its body and transcript, which can be large. */
function card(item: ItemRecord): ItemRecord {
  const { transcript: _t, ...rest } = item;
  return { ...rest, body: '', bodyHtml: '' };
}
