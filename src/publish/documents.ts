// Turns a writer job into the documents it owes KV: which items, which pages, which formats.
import { FEED_FORMATS, CONTENT_TYPES, REDIRECT, absolute, feedPath, itemPath, embedPath, modifiedOf, type Scope, scopeLabel } from '../model/paths';
import type { ItemRecord } from '../model/schema';
import type { FeedDoc, Site } from '../render/document';
import { docUpdated } from '../render/document';
import { renderRss, renderAtom } from '../render/feed-adapter';
import { renderJsonFeed } from '../render/json-feed';
import { renderHome } from '../render/home-page';
import { renderItemPage } from '../render/item-page';
import { renderEmbedPage } from '../render/embed-page';
import { SITEMAP_PAGE, renderSitemapIndex, renderSitemapPage, sitemapPagePath } from '../render/sitemap';
import type { CacheClass } from '../store/kv-store';
import type { IndexDb, Job } from './index-db';

export interface DocWrite {
  path: string;
  body: string;
  type: string;
  cache: CacheClass;
  lastModified: string;
}

/** What one job changes in KV. */
export interface JobOutput {
  writes: DocWrite[];
  deletes: string[];
  items: ItemRecord[];
  goneSlugs: string[];
  /** Subscription feeds whose content changed, for WebSub pings. */
  changedFeeds: string[];
}

const RENDERERS = { xml: renderRss, atom: renderAtom, json: renderJsonFeed } as const;

/** First page held by the subscription document, given the highest position used so far. */
export function currentFirstPage(maxPos: number, pageSize: number): number {
  return Math.max(1, Math.floor(maxPos / pageSize));
}

const httpDate = (d: Date) => d.toUTCString();

/** Renders the documents a job owes; pure apart from reading the index. */
export function runJob(db: IndexDb, site: Site, job: Job): JobOutput {
  const out: JobOutput = { writes: [], deletes: [], items: [], goneSlugs: [], changedFeeds: [] };
  if (job.t === 'home') {
    const items = db.latest(20);
    out.writes.push({ path: '/', body: renderHome(site, items), type: CONTENT_TYPES.html, cache: 'page', lastModified: httpDate(docUpdated(items)) });
    return out;
  }
  if (job.t === 'item') {
    const item = db.itemBySlug(job.slug);
    if (!item) {
      out.goneSlugs.push(job.slug);
      out.deletes.push(`/videos/${job.slug}`, `/articles/${job.slug}`, embedPath(job.slug));
      return out;
    }
    const lastModified = httpDate(new Date(modifiedOf(item)));
    out.items.push(item);
    out.writes.push({ path: itemPath(item), body: renderItemPage(site, item), type: CONTENT_TYPES.html, cache: 'page', lastModified });
    if (item.kind === 'video') {
      out.writes.push({ path: embedPath(item.slug), body: renderEmbedPage(site, item), type: CONTENT_TYPES.html, cache: 'page', lastModified });
    }
    return out;
  }
  if (job.t === 'sitemap') {
    const items = db.bySeq((job.page - 1) * SITEMAP_PAGE + 1, job.page * SITEMAP_PAGE);
    const pages = Math.ceil((db.nextSeq() - 1) / SITEMAP_PAGE);
    const lastModified = httpDate(docUpdated(items));
    out.writes.push(
      { path: sitemapPagePath(job.page), body: renderSitemapPage(site, items), type: CONTENT_TYPES.sitemap, cache: 'page', lastModified },
      { path: '/sitemap.xml', body: renderSitemapIndex(site, pages), type: CONTENT_TYPES.sitemap, cache: 'page', lastModified },
    );
    return out;
  }
  if (job.t === 'moved') {
    const item = db.itemBySlug(job.to);
    // The old slug may have been taken again since; then its own item job owns those addresses.
    if (!item || db.itemBySlug(job.from)) return out;
    const redirect = (from: string, to: string) =>
      out.writes.push({ path: from, body: absolute(site.url, to), type: REDIRECT, cache: 'page', lastModified: httpDate(new Date(modifiedOf(item))) });
    redirect(itemPath({ kind: item.kind, slug: job.from }), itemPath(item));
    if (item.kind === 'video') redirect(embedPath(job.from), embedPath(item.slug));
    return out;
  }
  if (job.t === 'drop') {
    out.deletes.push(...job.paths);
    return out;
  }
  const state = db.scope(job.scope);
  if (!state) return out;
  const size = site.pageSize;
  const maxPos = state.nextPos - 1;
  const first = currentFirstPage(maxPos, size);
  const page = job.page >= first ? 0 : job.page;
  if (page === 0 && db.memberCount(job.scope) === 0) {
    for (const f of FEED_FORMATS) out.deletes.push(feedPath(job.scope, f));
    return out;
  }
  const items = page ? db.range(job.scope, (page - 1) * size + 1, page * size) : db.range(job.scope, (first - 1) * size + 1, maxPos);
  const prev = page ? page - 1 : first - 1;
  const doc: FeedDoc = { site, scope: job.scope, label: state.label || scopeLabel(job.scope), page, items, ...(prev > 0 ? { prevPage: prev } : {}) };
  const lastModified = httpDate(docUpdated(items));
  for (const f of FEED_FORMATS) {
    const path = feedPath(job.scope, f, page);
    out.writes.push({ path, body: RENDERERS[f](doc), type: CONTENT_TYPES[f], cache: page ? 'archive' : 'current', lastModified });
    if (!page) out.changedFeeds.push(path);
  }
  return out;
}

/** The jobs an item's change in one scope causes: its own page, plus pages that just became archives. */
export function scopeJobs(db: IndexDb, scope: Scope, pos: number, pageSize: number): Job[] {
  const state = db.scope(scope);
  if (!state) return [];
  const first = currentFirstPage(state.nextPos - 1, pageSize);
  const page = Math.ceil(pos / pageSize);
  const jobs: Job[] = [{ t: 'scope', scope, page: page >= first ? 0 : page }];
  for (let k = state.archived + 1; k < first; k++) jobs.push({ t: 'scope', scope, page: k });
  if (first - 1 > state.archived) db.setArchived(scope, first - 1);
  return jobs;
}
