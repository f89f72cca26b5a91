// The player page behind the oEmbed iframe: one script (the audience beacon), no cookies, no storage, fills its frame.
import { html, raw } from 'hono/html';
import type { ItemRecord } from '../model/schema';
import { BEACON } from '../model/paths';
import { itemUrl, siteName, siteUrl, type Site } from './document';
import { finalXml } from './escape';
import { player } from './item-page';
import { PLAYER_SCRIPT } from './player-beacon';

const STYLE = `html,body{margin:0;height:100%;background:#000;overflow:hidden}
video{display:block;width:100%;height:100%;object-fit:contain}
a.back{position:absolute;top:.4rem;left:.5rem;right:.5rem;color:#fff;font:600 14px/1.3 system-ui,sans-serif;text-decoration:none;text-shadow:0 1px 2px #000;white-space:nowrap;overflow:hidden;text-overflow:ellipsis}
a.back:hover{text-decoration:underline}`;

/** Renders the embeddable player for a video item. */
export function renderEmbedPage(site: Site, item: ItemRecord): string {
  const url = itemUrl(site, item);
  return finalXml(
    html`<!doctype html>
<html lang="${item.language}">
<head>
<meta charset="utf-8">
<title>${item.title} — ${siteName(site)}</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex">
<link rel="canonical" href="${url}">
<style>${raw(STYLE)}</style>
</head>
<body data-item="${item.slug}" data-beacon="${siteUrl(site, BEACON)}">
${player(site, item, true)}
<a class="back" href="${url}" target="_blank" rel="noopener">${item.title}</a>
<script>${raw(PLAYER_SCRIPT)}</script>
</body>
</html>
`.toString(),
  );
}
