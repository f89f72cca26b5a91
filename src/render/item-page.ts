// The item page: oEmbed and feed discovery, Open Graph, twitter:player, JSON-LD, and the story itself.
import { html, raw } from 'hono/html';
import { OEMBED, kindScope, nameScope } from '../model/paths';
import type { ItemRecord } from '../model/schema';
import { clockDuration, embedUrl, itemUrl, mediaUrl, namesOf, siteName, siteUrl, transcriptUrl, type Site } from './document';
import { jsonForScript } from './escape';
import { countsLine, shownCounts, type Counts } from './item-counts';
import { jsonLd } from './json-ld';
import { layout, type FeedScope } from './layout';
import { relatedCoverage, type RelatedLink } from './related';
import { shortDate } from './scope-page';
import { shareControl } from './share-control';

/** The oEmbed endpoint URL for one of our pages. */
export function oembedUrl(site: Site, pageUrl: string, format: 'json' | 'xml'): string {
  const u = new URL(siteUrl(site, OEMBED));
  u.searchParams.set('url', pageUrl);
  u.searchParams.set('format', format);
  return u.toString();
}

/**
 * The HTML5 player shared by the item page and the embed page. A caption track from another origin
 * loads only in CORS mode, so then (and only then) the element asks for it: in CORS mode a video
 * from a host that sends no CORS headers would not play at all. The embed page may sit in a
 * sandboxed iframe, whose origin is opaque: there every track is from another origin.
 */
export function player(site: Site, item: ItemRecord, embedded: boolean) {
  const v = item.video;
  if (!v) return '';
  const poster = item.image ? mediaUrl(site, item.image.url) : undefined;
  const own = new URL(site.url).origin;
  const cors = (item.captions ?? []).some((c) => embedded || new URL(mediaUrl(site, c.url)).origin !== own);
  return html`<video controls playsinline preload="metadata"${cors ? raw(' crossorigin="anonymous"') : ''} width="${v.width}" height="${v.height}"${poster ? html` poster="${poster}"` : ''}>
<source src="${mediaUrl(site, v.url)}" type="${v.type}">
${(item.captions ?? []).map((c, i) => html`<track kind="captions" src="${mediaUrl(site, c.url)}" srclang="${c.language}" label="${c.label}"${i === 0 ? raw(' default') : ''}>`)}
<a href="${mediaUrl(site, v.url)}">Download the video</a>
</video>`;
}

function head(site: Site, item: ItemRecord, counts: Counts | null) {
  const url = itemUrl(site, item);
  const { video: v, image: img } = item;
  return html`<meta name="description" content="${item.summary}">
<meta property="og:site_name" content="${siteName(site)}">
<meta property="og:type" content="${v ? 'video.other' : 'article'}">
<meta property="og:title" content="${item.title}">
<meta property="og:description" content="${item.summary}">
<meta property="og:url" content="${url}">
<meta property="og:locale" content="${item.language.replace('-', '_')}">
${
  img
    ? html`<meta property="og:image" content="${mediaUrl(site, img.url)}">
<meta property="og:image:width" content="${img.width}">
<meta property="og:image:height" content="${img.height}">
<meta property="og:image:alt" content="${img.alt}">`
    : ''
}
${
  v
    ? html`<meta property="og:video" content="${mediaUrl(site, v.url)}">
<meta property="og:video:type" content="${v.type}">
<meta property="og:video:width" content="${v.width}">
<meta property="og:video:height" content="${v.height}">
<meta name="twitter:card" content="player">
<meta name="twitter:player" content="${embedUrl(site, item)}">
<meta name="twitter:player:width" content="${v.width}">
<meta name="twitter:player:height" content="${v.height}">
<meta name="twitter:player:stream" content="${mediaUrl(site, v.url)}">
<meta name="twitter:player:stream:content_type" content="${v.type}">`
    : html`<meta name="twitter:card" content="${img ? 'summary_large_image' : 'summary'}">`
}
<meta name="twitter:title" content="${item.title}">
<meta name="twitter:description" content="${item.summary}">
${img ? html`<meta name="twitter:image" content="${mediaUrl(site, img.url)}">` : ''}
<meta property="article:published_time" content="${item.published}">
${item.updated ? html`<meta property="article:modified_time" content="${item.updated}">` : ''}
${item.section ? html`<meta property="article:section" content="${item.section}">` : ''}
<script type="application/ld+json">${raw(jsonForScript(jsonLd(site, item, counts)))}</script>`;
}

/**
 * The feeds an item page advertises: the site's, its kind's (a podcast app handed a video page finds
 * the video podcast) and its section's, each titled with the site's name and the scope's, as the
 * feeds title themselves, so a person choosing among them can tell them apart.
 */
function itemFeeds(site: Site, item: ItemRecord): FeedScope[] {
  const name = siteName(site);
  const section = namesOf(site, item).section;
  return [
    { scope: '', label: name },
    { scope: kindScope(item.kind), label: `${name} — ${item.kind === 'video' ? 'Videos' : 'Articles'}` },
    ...(section && item.refs.section ? [{ scope: nameScope('section', item.refs.section), label: `${name} — ${section.name}` }] : []),
  ];
}

/**
 * Renders the item page; bylines, tags and the section link to their pages, which link their feeds.
 * `live`: the counts wirefeed measured, as the writer last applied them; `related` is the related
 * coverage the writer stored for it (src/publish/related.ts).
 */
export function renderItemPage(site: Site, item: ItemRecord, live: Counts | null = null, related?: readonly RelatedLink[]): string {
  const url = itemUrl(site, item);
  const counts = shownCounts(item, live);
  const { video: v, image: img } = item;
  const names = namesOf(site, item);
  const discovery = html`<link rel="alternate" type="application/json+oembed" href="${oembedUrl(site, url, 'json')}" title="${item.title}">
<link rel="alternate" type="text/xml+oembed" href="${oembedUrl(site, url, 'xml')}" title="${item.title}">
<link rel="canonical" href="${url}">
`;
  const byline = names.authors.map((a, i) => html`${i ? ', ' : ''}<a rel="author" href="${a.page}">${a.name}</a>`);
  const body = html`<main><article>
${names.section ? html`<p class="meta"><a href="${names.section.page}">${names.section.name}</a></p>` : ''}
<h1>${item.title}</h1>
<p class="byline">${v ? 'Video' : 'By'} · ${byline} · <time datetime="${item.published}">${shortDate(item.published)}</time>${
    item.updated ? html` · updated <time datetime="${item.updated}">${shortDate(item.updated)}</time>` : ''
  }${v ? html` · ${clockDuration(v.duration)}` : ''}${counts ? html` · ${countsLine(counts, site.language)}` : ''}</p>
<p><strong>${item.summary}</strong></p>
${v ? player(site, item, false) : img ? html`<p><img src="${mediaUrl(site, img.url)}" width="${img.width}" height="${img.height}" alt="${img.alt}"></p>` : ''}
${raw(item.bodyHtml)}
${item.transcript ? html`<details><summary>Transcript</summary><p>${item.transcript}</p><p><a href="${transcriptUrl(site, item)}">Transcript as text</a></p></details>` : ''}
${names.tags.length ? html`<p class="tags">${names.tags.map((t) => html`<a rel="tag" href="${t.page}">#${t.name}</a>`)}</p>` : ''}
${shareControl(site, item)}
</article>${relatedCoverage(site, related)}</main>`;
  return layout(site, {
    title: `${item.title} — ${siteName(site)}`,
    lang: item.language,
    discovery,
    feeds: itemFeeds(site, item),
    head: head(site, item, counts),
    body,
  });
}
