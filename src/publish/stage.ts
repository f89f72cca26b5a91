// Stage: an input becomes the record the writer would store, checked against the index and rendered
// into every document it appears in, before anything is committed. It only reads: a failure here
// changes nothing, and the names it gives slugs are written by the commit (index-change.ts).
import { DOC_BUDGET_BYTES, LIMITS } from '../model/limits';
import { nameScope, newItemId } from '../model/paths';
import { problemOf } from '../model/messages';
import { renderDirectory, renderOpml } from '../render/directory';
import * as v from 'valibot';
import { nameKey } from '../model/names';
import { rightsProblems } from '../model/partner';
import { ItemRecord, type ItemInput, type Site } from '../model/schema';
import { fits } from '../render/budget';
import type { FeedDoc, RelatedLink } from '../render/document';
import { renderEmbedPage } from '../render/embed-page';
import { renderAtom, renderRss } from '../render/feed-adapter';
import { renderItemPage } from '../render/item-page';
import { renderJsonFeed } from '../render/json-feed';
import { BodyTooLarge, BodyUnrenderable, renderMarkdown } from '../render/markdown';
import { oembedAnswer, oembedXml } from '../render/oembed';
import { renderScopePage } from '../render/scope-page';
import { renderNewsSitemap, renderSitemapPage } from '../render/sitemap';
import type { IndexedItem, ItemIndex } from './item-index';
import { RELATED_MAX } from './related';
import { scopesOf, type NewName } from './scope-index';
import { ifMatchRefusal, reject, type Rejection } from './results';
import type { Pass } from './stores';

/** A change the writer can commit: the new record, what it replaces, and its state. */
export interface Staged {
  ok: true;
  record: ItemRecord;
  prev: IndexedItem | null;
  state: 'published' | 'scheduled';
  publishAt: number;
  /** Names seen for the first time, with the slugs the record gives them. */
  names: NewName[];
}

/** The first of each name by its key: "Korea" and "korea" are one tag. */
function unique<T>(xs: readonly T[], name: (x: T) => string): T[] {
  const seen = new Set<string>();
  return xs.filter((x) => {
    const k = nameKey(name(x));
    return !seen.has(k) && (seen.add(k), true);
  });
}

/**
 * Builds the record for `input` with the site's defaults (language, authors), checks that the slug
 * and id agree with the index and that `ifMatch` names the current version, and renders the body.
 * Reads only; a name seen for the first time is proposed a slug, which the commit writes.
 */
export function stage(pass: Pass, input: ItemInput, ifMatch?: string): Staged | Rejection {
  const { site, now } = pass;
  const { items, scopes } = pass.stores;
  const bySlug = items.itemBySlug(input.slug);
  const byId = input.id ? items.itemById(input.id) : null;
  if (bySlug && input.id && bySlug.record.id !== input.id) {
    return reject(409, 'slug', `"${input.slug}" already belongs to another item (${bySlug.record.id}); choose another slug`);
  }
  const prev = byId ?? bySlug;
  const stale = ifMatchRefusal(ifMatch, prev?.etag);
  if (stale) return stale;
  let bodyHtml: string;
  try {
    bodyHtml = renderMarkdown(input.body, site.url, LIMITS.bodyHtmlBytes);
  } catch (err) {
    if (err instanceof BodyTooLarge) return reject(413, 'body', `${err.message}; at most ${LIMITS.bodyHtmlBytes} are stored`);
    if (err instanceof BodyUnrenderable) return reject(422, 'body', err.message);
    throw err;
  }
  const { id: _id, ...fields } = input;
  const authors = unique(input.authors ?? [{ name: site.author }], (a) => a.name);
  const tags = unique(input.tags ?? [], (t) => t);
  const names: NewName[] = [];
  const record: ItemRecord = {
    ...fields,
    language: input.language ?? site.language,
    authors,
    tags,
    id: prev?.record.id ?? input.id ?? freshId(items, site.url, input),
    seq: prev?.record.seq ?? items.nextSeq(),
    bodyHtml,
    refs: {
      authors: scopes.proposeNames(
        'author',
        authors.map((a) => a.name),
        names,
      ),
      tags: scopes.proposeNames('tag', tags, names),
      ...(input.section ? { section: scopes.proposeNames('section', [input.section], names)[0] as string } : {}),
    },
  };
  const problem = rightsProblem(pass, record) ?? recordProblem(record, input) ?? trialRender(site, record);
  if (problem) return problem;
  const publishAt = Date.parse(record.published);
  return { ok: true, record, prev, state: publishAt > now ? 'scheduled' : 'published', publishAt, names };
}

/** Rights naming partners that do not exist, or an expiry at or before publication: 422 naming the field. */
function rightsProblem(pass: Pass, record: ItemRecord): Rejection | null {
  const p = rightsProblems(record.rights, record.published, new Set(pass.stores.partners.ids()))[0];
  return p ? reject(422, p.field, p.message) : null;
}

/** The writer's SQLite takes rows of up to 2 MB; an item's row holds its record and its input as sent. */
const ROW_BUDGET = 1_900_000;

/** Why the record cannot be stored as it is: the one schema on what the writer built, and the row size. */
function recordProblem(record: ItemRecord, input: ItemInput): Rejection | null {
  const checked = v.safeParse(ItemRecord, record);
  if (!checked.success) {
    const p = problemOf(checked.issues[0] as v.BaseIssue<unknown>);
    return reject(422, p.field, p.message);
  }
  const bytes = new TextEncoder().encode(JSON.stringify(record) + JSON.stringify(input)).byteLength;
  if (bytes <= ROW_BUDGET) return null;
  const field = (record.transcript?.length ?? 0) > record.body.length ? 'transcript' : 'body';
  return reject(413, field, `makes the stored item ${bytes} bytes, over the ${ROW_BUDGET} the writer can keep; shorten it`);
}

// Tag ids are date + slug; a later item reusing the slug of a renamed or withdrawn item on the same
// day needs a suffix: readers would take it for the old story.
function freshId(items: ItemIndex, siteUrl: string, input: ItemInput): string {
  const base = newItemId(siteUrl, input.slug, input.published);
  let id = base;
  for (let n = 2; items.itemById(id) || items.aliasesOf(id).length; n++) id = `${base}-${n}`;
  return id;
}

/**
 * Renders the record into every kind of document it will appear in. Whatever the schema let
 * through, an item that cannot be rendered, or whose own page would not fit a stored document, is
 * refused here rather than left to stop the writer's queue.
 */
function trialRender(site: Site, record: ItemRecord): Rejection | null {
  // A named scope, as a podcast when the item is a video: every extension the item can meet.
  const scope = nameScope('author', record.refs.authors[0] ?? 'author');
  const doc: FeedDoc = { site, scope, label: record.authors[0]?.name ?? '', page: 1, prevPage: 1, nextPage: 0, items: [record] };
  let page = '';
  // The page as large as related coverage can make it: the most links, with the longest titles escaped at their longest.
  const related: RelatedLink[] = Array.from({ length: RELATED_MAX }, () => ({ ...record, title: '"'.repeat(LIMITS.title) }));
  try {
    page = renderItemPage(site, record, null, related);
    if (record.video) renderEmbedPage(site, record);
    renderRss(doc, '00000000-0000-5000-8000-000000000000');
    for (const render of [renderAtom, renderJsonFeed, renderScopePage]) render(doc);
    oembedXml(oembedAnswer(site, record, {}));
    renderSitemapPage(site, [record]);
    renderNewsSitemap(site, [record]);
    const names = [...scopesOf(record)].map(([s, label]) => ({ scope: s, label, count: 1 }));
    renderDirectory(site, names);
    renderOpml(site, names);
  } catch (err) {
    console.error('trial render failed', record.slug, err);
    return reject(422, '(item)', `could not be rendered (${err instanceof Error ? err.message : String(err)}); nothing was changed`);
  }
  if (!fits(page, DOC_BUDGET_BYTES)) {
    const field = (record.transcript?.length ?? 0) > record.bodyHtml.length ? 'transcript' : 'body';
    return reject(413, field, `makes the item's page larger than ${DOC_BUDGET_BYTES} bytes; shorten it`);
  }
  return null;
}
