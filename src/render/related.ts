// The item page's "Related coverage": the stories the writer listed for it, most related first.
import { html } from 'hono/html';
import { itemUrl, type RelatedLink, type Site } from './document';

export type { RelatedLink };

/** The related coverage aside, or nothing when the list is empty (the page is then as it was). */
export function relatedCoverage(site: Site, related: readonly RelatedLink[] = []) {
  if (!related.length) return '';
  return html`
<aside class="related" aria-labelledby="related-coverage"><h2 id="related-coverage">Related coverage</h2>
<ul>
${related.map(
  (r) => html`<li><a href="${itemUrl(site, r)}">${r.title}</a></li>
`,
)}</ul>
</aside>`;
}
