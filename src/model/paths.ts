// The URL contract, in one place: every public path, the route patterns that match them, and scopes.
import { MAX_NAME_SLUG_BYTES } from './limits';
import { NAME_SLUG, type NameKind } from './names';
import { SLUG_PATTERN } from './schema';

export type FeedFormat = 'xml' | 'atom' | 'json';
export const FEED_FORMATS: readonly FeedFormat[] = ['xml', 'atom', 'json'];
export type ItemKind = 'video' | 'article';

/**
 * RSS and Atom go out as application/xml: Chromium shows application/rss+xml and atom+xml as plain
 * text and ignores their stylesheet, while every feed reader accepts application/xml. Discovery
 * links keep the specific types (FEED_LINK_TYPES).
 */
export const CONTENT_TYPES = {
  xml: 'application/xml; charset=utf-8',
  atom: 'application/xml; charset=utf-8',
  json: 'application/feed+json; charset=utf-8',
  html: 'text/html; charset=utf-8',
  sitemap: 'application/xml; charset=utf-8',
  opml: 'text/x-opml; charset=utf-8',
  text: 'text/plain; charset=utf-8',
  css: 'text/css; charset=utf-8',
} as const;

export const FEED_LINK_TYPES: Record<FeedFormat, string> = {
  xml: 'application/rss+xml',
  atom: 'application/atom+xml',
  json: 'application/feed+json',
};

export const FORMAT_NAMES: Record<FeedFormat, string> = { xml: 'RSS', atom: 'Atom', json: 'JSON Feed' };

/** Stored in place of a content type: the body is the absolute URL a 301 points to. */
export const REDIRECT = 'redirect';
/** Stored in place of a content type: the body is the HTML of a 410 page for a withdrawn item. */
export const GONE = 'gone';

/** A feed scope as its URL prefix: everything (''), a kind, or a named tag, author or section. */
export type Scope = '' | '/videos' | '/articles' | `/tags/${string}` | `/authors/${string}` | `/sections/${string}`;

const NAME_PREFIX: Record<NameKind, 'tags' | 'authors' | 'sections'> = { tag: 'tags', author: 'authors', section: 'sections' };

/** The scope of one kind of item. */
export const kindScope = (kind: ItemKind): Scope => (kind === 'video' ? '/videos' : '/articles');

/** Where a kind of name's scopes live, e.g. "/tags/": the scheme of tag and section categories. */
export const nameIndexPath = (kind: NameKind) => `/${NAME_PREFIX[kind]}/`;

/** The scope of a named tag, author or section, by its slug (percent-encoded here, once). */
export const nameScope = (kind: NameKind, slug: string): Scope => `/${NAME_PREFIX[kind]}/${encodeURIComponent(slug)}`;

/** What kind of scope a scope string is, for labels and ordering. */
export function scopeKind(scope: Scope): 'all' | 'kind' | NameKind {
  if (scope === '') return 'all';
  if (scope === '/videos' || scope === '/articles') return 'kind';
  return scope.startsWith('/tags/') ? 'tag' : scope.startsWith('/authors/') ? 'author' : 'section';
}

/**
 * Scopes in the order readers need them: everything and the kinds, then sections, authors, tags
 * (the directory lists them so; a rebuild writes them so).
 */
export const byScopeKind = (a: Scope, b: Scope): number => SCOPE_ORDER[scopeKind(a)] - SCOPE_ORDER[scopeKind(b)];
const SCOPE_ORDER = { all: 0, kind: 1, section: 2, author: 3, tag: 4 } as const;

/** Path of the subscription document (page 0) or of archive page n (counted from the oldest, from 1). */
export const feedPath = (scope: Scope, format: FeedFormat, page = 0): string =>
  page ? `${scope}/archive/${page}/feed.${format}` : `${scope}/feed.${format}`;

/** Path of a scope's HTML page: its newest items, or archive page n. The home page is ''’s. */
export const pagePath = (scope: Scope, page = 0): string => (page ? `${scope}/archive/${page}` : scope || '/');

export const itemPath = (kind: ItemKind, slug: string): string => `/${kind === 'video' ? 'videos' : 'articles'}/${slug}`;
export const embedPath = (slug: string): string => `/embed/${slug}`;
export const transcriptPath = (slug: string): string => `/videos/${slug}/transcript.txt`;
/** Where podcast downloads are counted: `/download/<slug>/<file name>`, answered by the gateway, uncached. */
export const DOWNLOAD_PREFIX = '/download/';

/**
 * The last segment of a media URL's path as a URL parser writes it (percent-encoded), so the name in
 * a feed and the name a request brings back compare equal: "harbour-drill.mp4"; "file" if it has none.
 */
export function mediaFileName(url: string): string {
  let path: string;
  try {
    path = new URL(url, 'http://x/').pathname;
  } catch {
    path = url;
  }
  return path.slice(path.lastIndexOf('/') + 1) || 'file';
}

/**
 * The counting address of an item's enclosure: the slug, then the file's own name, so podcast apps
 * that read the extension from the URL still see ".mp4".
 */
export const downloadPath = (slug: string, mediaUrl: string): string => `${DOWNLOAD_PREFIX}${slug}/${mediaFileName(mediaUrl)}`;

/** The slug and file name a download path names, or null when it names none (a 404 without a storage read). */
export function downloadTarget(pathname: string): { slug: string; file: string } | null {
  if (!pathname.startsWith(DOWNLOAD_PREFIX)) return null;
  const [slug = '', file = '', ...rest] = pathname.slice(DOWNLOAD_PREFIX.length).split('/');
  return rest.length === 0 && SLUG_PATTERN.test(slug) && file !== '' ? { slug, file } : null;
}

/** Every address a slug can own; the writer decides what each holds (page, redirect, 410, nothing). */
export const slugPaths = (slug: string): string[] => [
  itemPath('video', slug),
  itemPath('article', slug),
  embedPath(slug),
  transcriptPath(slug),
];

export const SITEMAP_INDEX = '/sitemap.xml';
export const sitemapPath = (page: number): string => `/sitemaps/${page}.xml`;
export const NEWS_SITEMAP = '/sitemaps/news.xml';
export const SCOPES_SITEMAP = '/sitemaps/scopes.xml';
export const DIRECTORY = '/feeds';
export const OPML = '/feeds.opml';
export const FEED_STYLE = '/feed.css';
export const OEMBED = '/oembed';
/** Where the player and the share control send their beacons (POST, answered by the gateway, never cached). */
export const BEACON = '/beacon';

/** Resolves a site-relative path against SITE_URL; absolute URLs pass through. */
export function absolute(siteUrl: string, pathOrUrl: string): string {
  return new URL(pathOrUrl, siteUrl.endsWith('/') ? siteUrl : `${siteUrl}/`).toString();
}

/** The permanent id given at first publish: an RFC 4151 tag URI that no later edit or rename changes. */
export function newItemId(siteUrl: string, slug: string, published: string): string {
  // The date as the newsroom wrote it (its own offset), which RFC 4151 allows.
  return `tag:${new URL(siteUrl).hostname},${published.slice(0, 10)}:${slug}`;
}

/** What a public path names: a stored document's canonical path, and its scope or role. */
export interface PublicTarget {
  /** The document's path in its one canonical form (names percent-encoded as the writer stores them). */
  path: string;
  role: 'feed' | 'scope-page' | 'item' | 'embed' | 'stored';
  scope?: Scope;
}

const NAME_KINDS: Record<string, NameKind> = { tags: 'tag', authors: 'author', sections: 'section' };
const STORED = new Set([DIRECTORY, OPML, SITEMAP_INDEX, NEWS_SITEMAP, SCOPES_SITEMAP]);
const FEED_FILE = /^feed\.(xml|atom|json)$/;
const PAGE_NUMBER = /^[1-9][0-9]{0,6}$/;

/** A name segment as requested (percent-encoded, any case of hex), or null if it cannot be one of ours. */
function nameSlug(segment: string): string | null {
  let name: string;
  try {
    name = decodeURIComponent(segment).normalize('NFC');
  } catch {
    return null;
  }
  return NAME_SLUG.test(name) && name === name.toLowerCase() && encodeURIComponent(name).length <= MAX_NAME_SLUG_BYTES ? name : null;
}

/** A scope's suffix: its page, an archive page, or a feed of either. */
function scopeTarget(scope: Scope, rest: string[]): PublicTarget | null {
  if (rest.length === 0) return { path: pagePath(scope), role: 'scope-page', scope };
  const [first, page, file] = rest;
  const feed = FEED_FILE.exec(first ?? '');
  if (rest.length === 1 && feed) return { path: feedPath(scope, feed[1] as FeedFormat), role: 'feed', scope };
  if (first !== 'archive' || !PAGE_NUMBER.test(page ?? '')) return null;
  if (rest.length === 2) return { path: pagePath(scope, Number(page)), role: 'scope-page', scope };
  const archived = FEED_FILE.exec(file ?? '');
  return rest.length === 3 && archived ? { path: feedPath(scope, archived[1] as FeedFormat, Number(page)), role: 'feed', scope } : null;
}

/**
 * What a public GET path names, or null when it can name nothing of ours (a 404 without a storage
 * read). The one parser of the URL contract, the inverse of the builders above; `pathname` is the
 * request's path as sent (percent-encoded).
 */
export function resolvePath(pathname: string): PublicTarget | null {
  if (pathname === '/') return { path: '/', role: 'scope-page', scope: '' };
  if (STORED.has(pathname)) return { path: pathname, role: pathname === DIRECTORY ? 'scope-page' : 'stored' };
  const s = pathname.split('/').slice(1);
  const [a = '', b = '', c] = s;
  if (a === 'videos' || a === 'articles') {
    // An item's page and transcript; an item may be called "archive" (its page has no page number).
    if (SLUG_PATTERN.test(b) && (b !== 'archive' || s.length === 2 || c === 'transcript.txt')) {
      if (s.length === 2) return { path: pathname, role: 'item' };
      if (a === 'videos' && s.length === 3 && c === 'transcript.txt') return { path: pathname, role: 'stored' };
    }
    return scopeTarget(`/${a}`, s.slice(1));
  }
  const kind = NAME_KINDS[a];
  if (kind) {
    const name = nameSlug(b);
    return name === null ? null : scopeTarget(nameScope(kind, name), s.slice(2));
  }
  if (a === 'embed') return s.length === 2 && SLUG_PATTERN.test(b) ? { path: pathname, role: 'embed' } : null;
  if (a === 'sitemaps')
    return s.length === 2 && b.endsWith('.xml') && PAGE_NUMBER.test(b.slice(0, -4)) ? { path: pathname, role: 'stored' } : null;
  return scopeTarget('', s);
}
