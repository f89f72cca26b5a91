// The item page: oEmbed and feed discovery, Open Graph, twitter:player, JSON-LD, and the story itself.
import { html, raw } from 'hono/html';
import { absolute, authorSlug } from '../model/paths';
import type { ItemRecord } from '../model/schema';
import { jsonForScript } from './escape';
import { embedUrl, itemUrl, mediaUrl, type Site } from './document';
import { layout } from './layout';

/** ISO 8601 duration, e.g. 134 → "PT2M14S". */
export function isoDuration(seconds: number): string {
  const s = Math.round(seconds);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const rest = s % 60;
  return `PT${h ? `${h}H` : ''}${m ? `${m}M` : ''}${rest || (!h && !m) ? `${rest}S` : ''}`;
}

/** The oEmbed endpoint URL for one of our pages. */
export function oembedUrl(site: Site, pageUrl: string, format: 'json' | 'xml'): string {
  const u = new URL('/oembed', site.url);
  u.searchParams.set('url', pageUrl);
  u.searchParams.set('format', format);
  return u.toString();
}

/** schema.org VideoObject or NewsArticle for the item. */
export function jsonLd(site: Site, item: ItemRecord): Record<string, unknown> {
  const url = itemUrl(site, item);
  const authors = item.authors.map((a) => ({ '@type': 'Person', name: a.name, ...(a.url ? { url: a.url } : {}) }));
  const publisher = { '@type': 'Organization', name: site.title, url: absolute(site.url, '/') };
  const image = item.image ? mediaUrl(site, item.image.url) : undefined;
  if (item.kind === 'video' && item.video) {
    return {
      '@context': 'https://schema.org',
      '@type': 'VideoObject',
      name: item.title,
      description: item.summary,
      thumbnailUrl: image ? [image] : [],
      uploadDate: item.published,
      ...(item.updated ? { dateModified: item.updated } : {}),
      duration: isoDuration(item.video.duration),
      contentUrl: mediaUrl(site, item.video.url),
      embedUrl: embedUrl(site, item),
      encodingFormat: item.video.type,
      width: item.video.width,
      height: item.video.height,
      inLanguage: item.language,
      url,
      author: authors,
      publisher,
      ...(item.transcript ? { transcript: item.transcript } : {}),
      ...(item.stats
        ? {
            interactionStatistic: [
              { '@type': 'InteractionCounter', interactionType: { '@type': 'WatchAction' }, userInteractionCount: item.stats.views },
              { '@type': 'InteractionCounter', interactionType: { '@type': 'ShareAction' }, userInteractionCount: item.stats.shares },
            ],
          }
        : {}),
    };
  }
  return {
    '@context': 'https://schema.org',
    '@type': 'NewsArticle',
    headline: item.title,
    description: item.summary,
    datePublished: item.published,
    dateModified: item.updated ?? item.published,
    ...(image ? { image: [image] } : {}),
    inLanguage: item.language,
    mainEntityOfPage: url,
    ...(item.section ? { articleSection: item.section } : {}),
    keywords: item.tags,
    author: authors,
    publisher,
  };
}

/** The HTML5 player shared by the item page and the embed page. */
export function player(site: Site, item: ItemRecord, extra = '') {
  const v = item.video;
  if (!v) return '';
  const poster = item.image ? mediaUrl(site, item.image.url) : undefined;
  return html`<video controls playsinline preload="metadata" crossorigin="anonymous" width="${v.width}" height="${v.height}"${poster ? html` poster="${poster}"` : ''}${raw(extra)}>
<source src="${mediaUrl(site, v.url)}" type="${v.type}">
${(item.captions ?? []).map((c, i) => html`<track kind="captions" src="${mediaUrl(site, c.url)}" srclang="${c.language}" label="${c.label}"${i === 0 ? raw(' default') : ''}>`)}
<a href="${mediaUrl(site, v.url)}">Download the video</a>
</video>`;
}

/** Renders the item page. */
export function renderItemPage(site: Site, item: ItemRecord): string {
  const url = itemUrl(site, item);
  const v = item.video;
  const img = item.image;
  const discovery = html`<link rel="alternate" type="application/json+oembed" href="${oembedUrl(site, url, 'json')}" title="${item.title}">
<link rel="alternate" type="text/xml+oembed" href="${oembedUrl(site, url, 'xml')}" title="${item.title}">
<link rel="canonical" href="${url}">`;
  const head = html`<meta name="description" content="${item.summary}">
<meta property="og:site_name" content="${site.title}">
<meta property="og:type" content="${v ? 'video.other' : 'article'}">
<meta property="og:title" content="${item.title}">
<meta property="og:description" content="${item.summary}">
<meta property="og:url" content="${url}">
<meta property="og:locale" content="${item.language.replace('-', '_')}">
${img
  ? html`<meta property="og:image" content="${mediaUrl(site, img.url)}">
<meta property="og:image:width" content="${img.width}">
<meta property="og:image:height" content="${img.height}">
<meta property="og:image:alt" content="${img.alt}">`
  : ''}
${v
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
  : html`<meta name="twitter:card" content="${img ? 'summary_large_image' : 'summary'}">`}
<meta name="twitter:title" content="${item.title}">
<meta name="twitter:description" content="${item.summary}">
${img ? html`<meta name="twitter:image" content="${mediaUrl(site, img.url)}">` : ''}
<meta property="article:published_time" content="${item.published}">
${item.updated ? html`<meta property="article:modified_time" content="${item.updated}">` : ''}
<script type="application/ld+json">${raw(jsonForScript(jsonLd(site, item)))}</script>`;
  const byline = item.authors.map((a, i) => html`${i ? ', ' : ''}<a href="${absolute(site.url, `/authors/${authorSlug(a.name)}/feed.atom`)}">${a.name}</a>`);
  const body = html`<main><article>
<h1>${item.title}</h1>
<p class="byline">${v ? 'Video' : 'By'} · ${byline} · <time datetime="${item.published}">${new Date(item.published).toUTCString().slice(0, 16)}</time>${item.updated ? html` · updated <time datetime="${item.updated}">${new Date(item.updated).toUTCString().slice(0, 16)}</time>` : ''}${v ? html` · ${Math.floor(v.duration / 60)}:${String(Math.round(v.duration % 60)).padStart(2, '0')}` : ''}${item.stats ? html` · ${item.stats.shares} shares · ${item.stats.views} views` : ''}</p>
<p><strong>${item.summary}</strong></p>
${v ? player(site, item) : img ? html`<p><img src="${mediaUrl(site, img.url)}" width="${img.width}" height="${img.height}" alt="${img.alt}"></p>` : ''}
${raw(item.bodyHtml)}
${item.transcript ? html`<details><summary>Transcript</summary><p>${item.transcript}</p></details>` : ''}
<p class="tags">${item.tags.map((t) => html`<a href="${absolute(site.url, `/tags/${t}/feed.atom`)}">#${t}</a>`)}</p>
</article></main>`;
  return layout(site, { title: `${item.title} — ${site.title}`, lang: item.language, discovery, head, body });
}
