// The home page: the latest items, with discovery links for the three feed formats.
import { html } from 'hono/html';
import type { ItemRecord } from '../model/schema';
import { itemUrl, type Site } from './document';
import { layout } from './layout';

/** Renders the home page listing `items` (newest first). */
export function renderHome(site: Site, items: readonly ItemRecord[]): string {
  const list = items.map(
    (i) => html`<li><a href="${itemUrl(site, i)}"><strong>${i.title}</strong></a>
<div class="meta">${i.kind === 'video' ? 'Video' : 'Article'} · ${i.authors.map((a) => a.name).join(', ')} · <time datetime="${i.published}">${new Date(i.published).toUTCString().slice(5, 16)}</time></div>
<p>${i.summary}</p></li>`,
  );
  return layout(site, {
    title: site.title,
    lang: site.language,
    discovery: '',
    head: html`<meta name="description" content="${site.description}">
<link rel="canonical" href="${new URL('/', site.url).toString()}">`,
    body: html`<main><h1>${site.title}</h1><p>${site.description}</p>
${items.length ? html`<ul class="items">${list}</ul>` : html`<p>Nothing is published yet.</p>`}</main>`,
  });
}
