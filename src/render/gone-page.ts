// The small page a withdrawn item's addresses answer with, 410 Gone, so people and crawlers know it is not coming back.
import { html } from 'hono/html';
import { homeUrl, siteName, type Site } from './document';
import { layout } from './layout';

/** Renders the 410 page for a withdrawn item (or one of its old, renamed addresses). */
export function renderGonePage(site: Site): string {
  return layout(site, {
    title: `Withdrawn — ${siteName(site)}`,
    lang: site.language,
    feeds: { scope: '', label: siteName(site) },
    head: html`<meta name="robots" content="noindex">`,
    body: html`<main><h1>This story has been withdrawn</h1>
<p>The newsroom has taken it down and it will not come back at this address.</p>
<p><a href="${homeUrl(site)}">Latest from ${siteName(site)}</a></p></main>`,
  });
}
