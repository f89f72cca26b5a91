// The HTML shell every page shares: charset, discovery links first, the site header, and the styles.
import { html, raw } from 'hono/html';
import type { HtmlEscapedString } from 'hono/utils/html';
import { DIRECTORY, FEED_FORMATS, FEED_LINK_TYPES, FORMAT_NAMES, type Scope } from '../model/paths';
import { finalXml } from './escape';
import { feedUrl, homeUrl, mediaUrl, pageUrl, siteUrl, type Site } from './document';

type Html = HtmlEscapedString | Promise<HtmlEscapedString> | string;

const STYLE = `body{font:16px/1.55 system-ui,sans-serif;margin:0 auto;max-width:46rem;padding:1rem;color:#111;background:#fff}
a{color:#0645ad}header.site{display:flex;flex-wrap:wrap;gap:.3rem 1rem;align-items:baseline;border-bottom:1px solid #ddd;margin-bottom:1rem;padding-bottom:.4rem}
header.site .name{font-weight:700;margin-right:auto}header.site .edition{color:#555;font-weight:400}
.byline,.meta{color:#555;font-size:.9rem}video,img{max-width:100%;height:auto;background:#000}ul.items{list-style:none;padding:0}
ul.items li{margin:0 0 1.2rem}.tags a{margin-right:.5rem}nav.pages{display:flex;justify-content:space-between;margin:2rem 0}
.feeds code{background:#f3f3f3;padding:.1rem .3rem;word-break:break-all}table.feeds{border-collapse:collapse;width:100%}
table.feeds td,table.feeds th{border-bottom:1px solid #eee;padding:.3rem;text-align:left;vertical-align:top}`;

/** A scope's three feeds as discovery links (types stay the feed types, whatever the Content-Type). */
export function feedLinks(site: Site, scope: Scope, label: string) {
  return FEED_FORMATS.map(
    (f) =>
      html`<link rel="alternate" type="${FEED_LINK_TYPES[f]}" title="${label} (${FORMAT_NAMES[f]})" href="${feedUrl({ site, scope, page: 0 }, f)}">\n`,
  );
}

/** Links to a scope's feeds, for people: each opens in a browser as a readable page. */
export function subscribeLinks(site: Site, scope: Scope) {
  return html`<p class="meta">Follow in a feed reader: ${FEED_FORMATS.map(
    (f, i) => html`${i ? ' · ' : ''}<a href="${feedUrl({ site, scope, page: 0 }, f)}">${FORMAT_NAMES[f]}</a>`,
  )} · <a href="${siteUrl(site, DIRECTORY)}">all feeds</a></p>`;
}

/** A scope whose three feeds a page advertises, and the label their titles start with. */
export interface FeedScope {
  scope: Scope;
  label: string;
}

/** What a page puts in its head and body; `discovery` comes straight after the title. */
export interface PageParts {
  title: string;
  lang: string;
  /** The scopes whose feeds the page advertises (its own; an item page's site, kind and section), each with its label. */
  feeds: FeedScope | FeedScope[];
  head?: Html;
  body: Html;
  /** Extra discovery links (oEmbed) ahead of the feeds, for small head parsers. */
  discovery?: Html;
}

/** A full page: discovery links early in <head>, then the site header and the page's own body. */
export function layout(site: Site, o: PageParts): string {
  return finalXml(
    html`<!doctype html>
<html lang="${o.lang}">
<head>
<meta charset="utf-8">
<title>${o.title}</title>
${o.discovery ?? ''}${[o.feeds].flat().map((f) => feedLinks(site, f.scope, f.label))}<meta name="viewport" content="width=device-width, initial-scale=1">
${site.icon ? html`<link rel="icon" href="${mediaUrl(site, site.icon)}">\n` : ''}${o.head ?? ''}
<style>${raw(STYLE)}</style>
</head>
<body>
<header class="site"><a class="name" href="${homeUrl(site)}">${site.title}${site.edition ? html` <span class="edition">${site.edition}</span>` : ''}</a>
<a href="${pageUrl(site, '/videos')}">Videos</a> <a href="${pageUrl(site, '/articles')}">Articles</a> <a href="${siteUrl(site, DIRECTORY)}">Feeds</a></header>
${o.body}
</body>
</html>
`.toString(),
  );
}
