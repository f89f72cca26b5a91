// The feed directory: /feeds lists every scope's feeds for people to copy, /feeds.opml for readers to import.
import { html } from 'hono/html';
import { FEED_FORMATS, FORMAT_NAMES, OPML, scopeKind, type Scope } from '../model/paths';
import { renderWithin } from './budget';
import { feedUrl, pageUrl, siteName, siteUrl, type Site } from './document';
import { escapeHtml, finalXml } from './escape';
import { layout } from './layout';

/** One scope that holds items, as the directory lists it. */
export interface ScopeEntry {
  scope: Scope;
  label: string;
  count: number;
}

const GROUPS = [
  ['all', 'Everything'],
  ['kind', 'By kind'],
  ['section', 'Sections'],
  ['author', 'Authors'],
  ['tag', 'Tags'],
] as const;

const labelOf = (site: Site, e: ScopeEntry) => e.label || `Everything from ${siteName(site)}`;

function grouped(entries: readonly ScopeEntry[]) {
  return GROUPS.map(([kind, title]) => ({ title, entries: entries.filter((e) => scopeKind(e.scope) === kind) })).filter(
    (g) => g.entries.length,
  );
}

/** Renders /feeds: every scope (everything, kinds, sections, authors, tags) with its three feed URLs. */
export function renderDirectory(site: Site, entries: readonly ScopeEntry[]): string {
  return renderWithin(entries.length, (full) => {
    const shown = entries.slice(0, full);
    const rows = (e: ScopeEntry) =>
      html`<tr><td><a href="${pageUrl(site, e.scope)}">${labelOf(site, e)}</a> <span class="meta">(${e.count})</span></td><td>${FEED_FORMATS.map(
        (f) =>
          html`<div>${FORMAT_NAMES[f]}: <a href="${feedUrl({ site, scope: e.scope, page: 0 }, f)}"><code>${feedUrl({ site, scope: e.scope, page: 0 }, f)}</code></a></div>`,
      )}</td></tr>\n`;
    return layout(site, {
      title: `Feeds — ${siteName(site)}`,
      lang: site.language,
      feeds: { scope: '', label: siteName(site) },
      head: html`<link rel="alternate" type="text/x-opml" title="All feeds (OPML)" href="${siteUrl(site, OPML)}">`,
      body: html`<main class="feeds"><h1>Feeds</h1>
<p>A feed lets a feed reader (NetNewsWire, Feedly, Inoreader, Miniflux, newsboat…) or a podcast app follow ${siteName(site)}:
copy a feed's address into your reader, or import <a href="${siteUrl(site, OPML)}">all feeds as OPML</a>. RSS suits most readers;
Atom and JSON Feed carry the same items. The video feeds are also video podcasts.</p>
${grouped(shown).map(
  (g) => html`<h2>${g.title}</h2><table class="feeds"><tbody>${g.entries.map(rows)}</tbody></table>\n`,
)}${shown.length < entries.length ? html`<p>…and ${entries.length - shown.length} more.</p>` : ''}
<h2 id="json-feed-extension">JSON Feed extension</h2>
<p>Items in the JSON Feeds may carry <code>_wirefeed</code>: <code>section</code> and <code>section_url</code>,
<code>captions</code> (<code>url</code>, <code>mime_type</code>, <code>language</code>, <code>label</code>), <code>transcript_url</code>
and, on the newest ten items of the subscription feeds (not archive pages), <code>related</code>: the related stories' <code>id</code>, <code>url</code> and <code>title</code>, most related first.
The feed's own <code>_wirefeed</code> may carry the site's <code>edition</code>.</p></main>`,
    });
  });
}

/** Renders /feeds.opml (OPML 2.0): one RSS outline per scope, grouped as on /feeds. */
export function renderOpml(site: Site, entries: readonly ScopeEntry[]): string {
  return renderWithin(entries.length, (full) => opml(site, entries.slice(0, full)));
}

function opml(site: Site, entries: readonly ScopeEntry[]): string {
  const outline = (e: ScopeEntry) =>
    `      <outline type="rss" text="${escapeHtml(labelOf(site, e))}" title="${escapeHtml(labelOf(site, e))}" xmlUrl="${escapeHtml(feedUrl({ site, scope: e.scope, page: 0 }, 'xml'))}" htmlUrl="${escapeHtml(pageUrl(site, e.scope))}"/>`;
  const body = grouped(entries).map(
    (g) => `    <outline text="${escapeHtml(g.title)}">\n${g.entries.map(outline).join('\n')}\n    </outline>`,
  );
  return finalXml(`<?xml version="1.0" encoding="utf-8"?>
<opml version="2.0">
  <head>
    <title>${escapeHtml(`Feeds — ${siteName(site)}`)}</title>
    <ownerName>${escapeHtml(site.author)}</ownerName>
    <docs>http://opml.org/spec2.opml</docs>
  </head>
  <body>
${body.join('\n')}
  </body>
</opml>
`);
}
