// The HTML shell shared by the home and item pages: charset, discovery links first, then the rest.
import { html, raw } from 'hono/html';
import { absolute } from '../model/paths';
import type { Site } from './document';

const STYLE = `body{font:16px/1.55 system-ui,sans-serif;margin:0 auto;max-width:46rem;padding:1rem;color:#111;background:#fff}
a{color:#0645ad}header.site{display:flex;justify-content:space-between;align-items:baseline;border-bottom:1px solid #ddd;margin-bottom:1rem}
.byline,.meta{color:#555;font-size:.9rem}video,img{max-width:100%;height:auto;background:#000}ul.items{list-style:none;padding:0}
ul.items li{margin:0 0 1.2rem}.tags a{margin-right:.5rem}`;

/** The three feed formats of a scope as discovery links. */
export function feedLinks(site: Site, scope = '', label = site.title) {
  return html`<link rel="alternate" type="application/rss+xml" title="${label} (RSS)" href="${absolute(site.url, `${scope}/feed.xml`)}">
<link rel="alternate" type="application/atom+xml" title="${label} (Atom)" href="${absolute(site.url, `${scope}/feed.atom`)}">
<link rel="alternate" type="application/feed+json" title="${label} (JSON Feed)" href="${absolute(site.url, `${scope}/feed.json`)}">`;
}

/** A full page; `discovery` goes straight after the title so small head parsers find it. */
export function layout(site: Site, o: { title: string; lang: string; discovery: unknown; head?: unknown; body: unknown }): string {
  return html`<!doctype html>
<html lang="${o.lang}">
<head>
<meta charset="utf-8">
<title>${o.title}</title>
${o.discovery}
${feedLinks(site)}
<meta name="viewport" content="width=device-width, initial-scale=1">
${o.head ?? ''}
<style>${raw(STYLE)}</style>
</head>
<body>
<header class="site"><a href="${absolute(site.url, '/')}"><strong>${site.title}</strong></a> <a href="${absolute(site.url, '/feed.xml')}">RSS</a></header>
${o.body}
</body>
</html>
`.toString();
}
