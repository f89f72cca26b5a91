// A scope's page for people (the home page, a kind, a tag, an author, a section): the same items and
// the same pages as its feeds, with discovery links for its own feeds.
import { html } from 'hono/html';
import type { ItemRecord } from '../model/schema';
import { detailOf, itemUrl, pageUrl, siteName, type FeedDoc, type Site } from './document';
import { layout, subscribeLinks } from './layout';

/** A date as people read it in the page's lists, in UTC: "16 Jun 2020". */
export const shortDate = (iso: string) => new Date(iso).toUTCString().slice(5, 16);

function entry(site: Site, i: ItemRecord, withSummary: boolean) {
  return html`<li><a href="${itemUrl(site, i)}"><strong>${i.title}</strong></a>
<div class="meta">${i.kind === 'video' ? 'Video' : 'Article'} · ${i.authors.map((a) => a.name).join(', ')} · <time datetime="${i.published}">${shortDate(i.published)}</time></div>
${withSummary ? html`<p>${i.summary}</p>` : ''}</li>\n`;
}

/** Renders a scope's subscription page (page 0) or one of its archive pages, newest first. */
export function renderScopePage(d: FeedDoc): string {
  const { site } = d;
  const heading = d.label || siteName(site);
  const title = `${d.label ? `${d.label} — ` : ''}${siteName(site)}${d.page ? ` (page ${d.page})` : ''}`;
  const pager =
    d.page || d.prevPage
      ? html`<nav class="pages">${d.page ? html`<a href="${pageUrl(site, d.scope)}">← Newest</a>` : html`<span></span>`}${
          d.prevPage ? html`<a href="${pageUrl(site, d.scope, d.prevPage)}">Older →</a>` : ''
        }</nav>`
      : '';
  return layout(site, {
    title,
    lang: site.language,
    feeds: { scope: d.scope, label: heading },
    head: html`<meta name="description" content="${d.label ? `${d.label}: ${site.description}` : site.description}">
<link rel="canonical" href="${pageUrl(site, d.scope, d.page)}">`,
    body: html`<main><h1>${heading}${d.page ? html` <small>(page ${d.page})</small>` : ''}</h1>
${d.label ? '' : html`<p>${site.description}</p>`}
${subscribeLinks(site, d.scope)}
${d.items.length ? html`<ul class="items">${d.items.map((i, k) => entry(site, i, detailOf(d, k) > 0))}</ul>` : html`<p>Nothing is published here yet.</p>`}
${pager}</main>`,
  });
}
