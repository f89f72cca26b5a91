// Render: turns a job into the documents it owes KV (which items, which pages, which formats), reading
// the index and writing nothing. Each kind of job is one entry of JOB_KINDS.
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
import { uuidV5 } from '../model/hash';
import type { ItemRecord, Site, StoredItem } from '../model/schema';
import { renderDocWithin } from '../render/budget';
import { renderDirectory, renderOpml, type ScopeEntry } from '../render/directory';
import { itemUrl, embedUrl, feedUrl, type FeedDoc } from '../render/document';
import { renderEmbedPage } from '../render/embed-page';
import { renderAtom, renderRss } from '../render/feed-adapter';
import { renderGonePage } from '../render/gone-page';
import type { Counts } from '../render/item-counts';
import { renderItemPage } from '../render/item-page';
import { renderJsonFeed } from '../render/json-feed';
import { renderScopePage } from '../render/scope-page';
import { SITEMAP_PAGE, renderNewsSitemap, renderScopesSitemap, renderSitemapIndex, renderSitemapPage } from '../render/sitemap';
import { docKey, itemKey, type CacheClass } from '../store/kv-store';
import type { BadRecord, ItemIndex } from './item-index';
import type { Job } from './jobs';
import { partnerItemJob, partnerJob, type PartnerView } from './partner-jobs';
import { RELATED_IN_FEEDS } from './related';
import type { ScopeIndex } from './scope-index';

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

/** What a job may read: the index, the partners, which keys KV holds, the site and the clock. */
export interface RenderView extends PartnerView {
  items: Pick<ItemIndex, 'liveBySlug' | 'alias' | 'itemById' | 'publishedBySeq' | 'publishedBetween' | 'nextSeq'>;
  scopes: Pick<ScopeIndex, 'scopes' | 'page'>;
  /** Whether KV holds a document under `key` (as the writer last wrote it). */
  held: (key: string) => boolean;
  site: Site;
  now: number;
  /** The live counts last applied to the item at `slug` (item_counts), or null. */
  counts: (slug: string) => Counts | null;
}

const NEWS_WINDOW_MS = 2 * 86_400_000;

const doc = (path: string, body: string, type: string, cache: CacheClass): Put => ({ key: docKey(path), body, type, cache });

type JobOf<K extends Job['t']> = Extract<Job, { t: K }>;

/** What the writer knows of one kind of job. */
interface JobKind<K extends Job['t']> {
  /** Where a rebuild queues it (lower first): readers need feeds and the home page before item pages. */
  rebuildRank: (job: JobOf<K>) => number;
  /** The documents it owes; reads only. */
  render: (view: RenderView, job: JobOf<K>, out: JobOutput) => void | Promise<void>;
}

/**
 * Every kind of job, in one place: a new kind (a partner's documents, say) is a member of `Job`
 * (jobs.ts) and one entry here, which the compiler asks for. The ranks leave room between them.
 */
export const JOB_KINDS: { [K in Job['t']]: JobKind<K> } = {
  scope: { rebuildRank: (j) => (j.page ? 50 : 10), render: (view, j, out) => scopeJob(view, j.scope, j.page, out) },
  directory: { rebuildRank: () => 20, render: directoryJob },
  news: {
    rebuildRank: () => 30,
    render: ({ items, site, now }, _j, out) => {
      out.puts.push(
        doc(NEWS_SITEMAP, renderNewsSitemap(site, items.publishedBetween(now - NEWS_WINDOW_MS, now)), CONTENT_TYPES.sitemap, 'page'),
      );
    },
  },
  sitemap: { rebuildRank: () => 40, render: sitemapJob },
  slug: { rebuildRank: () => 60, render: (view, j, out) => slugJob(view, j.slug, out) },
  partner: { rebuildRank: () => 70, render: (view, j, out) => partnerJob(view, j.id, out) },
  'partner-item': { rebuildRank: () => 80, render: (view, j, out) => partnerItemJob(view, j.id, j.slug, out) },
};

/** Where a rebuild queues `job`. */
export const rebuildRank = (job: Job): number => (JOB_KINDS[job.t].rebuildRank as (j: Job) => number)(job);

/** Renders the documents a job owes; reads the index and which keys KV holds, writes nothing. */
export async function renderJob(view: RenderView, job: Job): Promise<JobOutput> {
  const out: JobOutput = { puts: [], deletes: [], feeds: [], bad: [] };
  await (JOB_KINDS[job.t].render as (v: RenderView, j: Job, o: JobOutput) => void | Promise<void>)(view, job, out);
  return out;
}

function sitemapJob({ items, site, counts }: RenderView, job: JobOf<'sitemap'>, out: JobOutput): void {
  const found = items.publishedBySeq((job.page - 1) * SITEMAP_PAGE + 1, job.page * SITEMAP_PAGE);
  const pages = Math.ceil((items.nextSeq() - 1) / SITEMAP_PAGE);
  out.puts.push(
    doc(sitemapPath(job.page), renderSitemapPage(site, found, counts), CONTENT_TYPES.sitemap, 'page'),
    doc(SITEMAP_INDEX, renderSitemapIndex(site, Math.max(1, pages)), CONTENT_TYPES.sitemap, 'page'),
  );
}

function directoryJob({ scopes, site }: RenderView, _job: JobOf<'directory'>, out: JobOutput): void {
  const entries: ScopeEntry[] = scopes
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
}

/** Podcasting 2.0 GUID: the UUIDv5 (in the namespace the spec gives) of the feed URL without scheme or trailing slash. */
function podcastGuid(site: Site, scope: Scope): Promise<string> {
  const url = feedUrl({ site, scope, page: 0 }, 'xml')
    .replace(/^[a-z]+:\/\//i, '')
    .replace(/\/+$/, '');
  return uuidV5('ead4c236bf5858c6a2c6a6b28d128cb6', url);
}

async function scopeJob(view: RenderView, scope: Scope, requested: number, out: JobOutput): Promise<void> {
  const found = view.scopes.page(scope, requested, view.site.pageSize);
  if (!found) return;
  if (requested > found.doc.page) {
    // Not an archive (any more: a larger page size has fewer): its old copies go, if KV holds them.
    const paths = [...FEED_FORMATS.map((f) => feedPath(scope, f, requested)), pagePath(scope, requested)];
    out.deletes.push(...paths.map(docKey).filter(view.held));
    return;
  }
  out.bad.push(...found.bad);
  const d: FeedDoc = { ...found.doc, site: view.site };
  // The newest entries' stored lists, one read for the document; archive pages stay as they were written.
  if (!d.page) d.related = view.related.listsOf(d.items.slice(0, RELATED_IN_FEEDS).map((i) => i.id));
  const guid = await podcastGuid(view.site, scope);
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
function slugJob(view: RenderView, slug: string, out: JobOutput): void {
  const { items: db, held, site, counts } = view;
  const wanted = new Map<string, Put>();
  const want = (path: string, body: string, type: string, onlyIfHeld = false) => {
    if (!onlyIfHeld || held(docKey(path))) wanted.set(docKey(path), doc(path, body, type, 'page'));
  };
  let record: StoredItem | null = null;
  const live = db.liveBySlug(slug);
  const alias = live ? null : db.alias(slug);
  const target = alias?.status === 'moved' ? db.itemById(alias.id) : null;
  if (live) {
    const page = itemPath(live.kind, slug);
    want(page, renderItemPage(site, live, counts(slug), view.related.listsOf([live.id]).get(live.id)), CONTENT_TYPES.html);
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
    else if (held(key)) out.deletes.push(key);
  }
}

/** What oEmbed needs of an item: the record without its body and transcript, which can be large. */
function card(item: ItemRecord): ItemRecord {
  const { transcript: _t, ...rest } = item;
  return { ...rest, body: '', bodyHtml: '' };
}
