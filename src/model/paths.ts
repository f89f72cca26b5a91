// The URL contract: where every item, feed scope, archive page and document lives.
import type { ItemInput, ItemRecord } from './schema';

export type FeedFormat = 'xml' | 'atom' | 'json';
export const FEED_FORMATS: readonly FeedFormat[] = ['xml', 'atom', 'json'];

export const CONTENT_TYPES: Record<FeedFormat | 'html' | 'sitemap', string> = {
  xml: 'application/rss+xml; charset=utf-8',
  atom: 'application/atom+xml; charset=utf-8',
  json: 'application/feed+json; charset=utf-8',
  html: 'text/html; charset=utf-8',
  sitemap: 'application/xml; charset=utf-8',
};

/** Stored in place of a content type: the body is the absolute URL a 301 points to. */
export const REDIRECT = 'redirect';

/** A feed scope: everything, one kind, one tag or one author. Its string form is its URL prefix. */
export type Scope = '' | `/videos` | `/articles` | `/tags/${string}` | `/authors/${string}`;

/** URL-safe slug of an author's name ("Libby Hogan" → "libby-hogan"). */
export function authorSlug(name: string): string {
  return (
    name
      .normalize('NFKD')
      .replace(/[\u0300-\u036f]/g, '')
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-+|-+$/g, '') || 'author'
  );
}

/** Every scope an item belongs to. */
export function scopesOf(item: Pick<ItemInput, 'kind' | 'tags' | 'authors'>): Scope[] {
  const scopes: Scope[] = ['', item.kind === 'video' ? '/videos' : '/articles'];
  for (const t of new Set(item.tags)) scopes.push(`/tags/${t}`);
  for (const a of new Set(item.authors.map((x) => authorSlug(x.name)))) scopes.push(`/authors/${a}`);
  return scopes;
}

/** Path of the subscription document (page 0) or of archive page n (counted from the oldest, from 1). */
export function feedPath(scope: Scope, format: FeedFormat, page = 0): string {
  return page ? `${scope}/archive/${page}/feed.${format}` : `${scope}/feed.${format}`;
}

/** The item's public page. */
export function itemPath(item: Pick<ItemInput, 'kind' | 'slug'>): string {
  return `/${item.kind === 'video' ? 'videos' : 'articles'}/${item.slug}`;
}

export const embedPath = (slug: string) => `/embed/${slug}`;

/** Resolves a site-relative path against SITE_URL; absolute URLs pass through. */
export function absolute(siteUrl: string, pathOrUrl: string): string {
  return new URL(pathOrUrl, siteUrl.endsWith('/') ? siteUrl : `${siteUrl}/`).toString();
}

/** The permanent id given at first publish: an RFC 4151 tag URI that no later edit or rename changes. */
export function newItemId(siteUrl: string, item: Pick<ItemInput, 'slug' | 'published'>): string {
  const host = new URL(siteUrl).hostname;
  // The date as the newsroom wrote it (its own offset), which RFC 4151 allows.
  const day = item.published.slice(0, 10);
  return `tag:${host},${day}:${item.slug}`;
}

/** The date a reader should see as "last changed". */
export const modifiedOf = (i: Pick<ItemRecord, 'published' | 'updated'>) => i.updated ?? i.published;

/** Human label of a scope, used in feed titles. */
export function scopeLabel(scope: Scope): string {
  if (scope === '') return '';
  if (scope === '/videos') return 'Videos';
  if (scope === '/articles') return 'Articles';
  const [, kind, name] = scope.split('/');
  return kind === 'tags' ? `Tag: ${name}` : `Author: ${name}`;
}
