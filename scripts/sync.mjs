// The sync behind `npm run publish`: compares a content directory with what the writer holds (by the
// hash the API lists per item) and sends only what is new or changed, in /api/import batches.
import { apiClient, problemText } from './api-client.mjs';
import { readContent } from './content-dir.mjs';
import { publicationOrder } from './content.mjs';
import { printPlan, progressReporter, summaryLine } from './sync-output.mjs';
import { deletePartners, listPartners, planPartners, printPartnerPlan, putPartners, readPartners } from './sync-partners.mjs';

/** Items per import (the API's limit) and bytes per import body (well under its 8 MiB). */
export const BATCH_ITEMS = 200;
export const BATCH_BYTES = 4 * 1024 * 1024;

/**
 * @typedef {import('./content-dir.mjs').LocalItem} LocalItem
 * @typedef {{ slug: string, id: string, state: string, hash: string, etag: string }} Listed
 * @typedef {{ new: LocalItem[], changed: (LocalItem & { renamedFrom?: string })[], unchanged: LocalItem[], withdraw: Listed[], orphans: Listed[], pruneBlocked: boolean, site: 'new' | 'changed' | 'unchanged' | 'absent' }} Plan
 * @typedef {{ kvWrites: number, kvDeletes: number, unchanged: number, deferred: number, pending: number, failed: number }} WriterStats
 * @typedef {{ created: number, updated: number, same: number, withdrawn: number, site: 'updated' | 'unchanged' | 'failed' | null }} Done
 */

/** Every item the writer holds, a page of 1,000 at a time. @param {import('./api-client.mjs').ApiClient} api */
async function listPublished(api) {
  /** @type {Map<string, Listed>} */
  const all = new Map();
  let after = '';
  for (;;) {
    const a = await api.call('GET', `/api/items?after=${encodeURIComponent(after)}&limit=1000`);
    if (!a.ok) throw new Error(`GET /api/items: ${problemText(a)}`);
    for (const it of a.body.items) all.set(it.slug, it);
    if (!a.body.next) return all;
    after = a.body.next;
  }
}

/**
 * What a sync would do. A file naming a published item's `id` under another slug renames it, so
 * that old slug is not counted as gone. Pruning is refused while any file is unreadable: its item
 * would look deleted, and withdrawing it would be the wrong answer to a typo.
 * @param {LocalItem[]} items
 * @param {Map<string, Listed>} published
 * @param {{ prune: boolean, unreadable: number, siteHash: string | null, remoteSiteHash: string | null }} o
 * @returns {Plan}
 */
export function planSync(items, published, o) {
  const byId = new Map([...published.values()].map((p) => [p.id, p]));
  /** @type {Plan} */
  const plan = { new: [], changed: [], unchanged: [], withdraw: [], orphans: [], pruneBlocked: false, site: 'absent' };
  const claimed = new Set();
  for (const it of items) {
    const there = it.slug === undefined ? undefined : published.get(it.slug);
    const renamed = it.id !== undefined && !there ? byId.get(it.id) : undefined;
    if (there) claimed.add(there.slug);
    if (renamed) claimed.add(renamed.slug);
    if (renamed) plan.changed.push({ ...it, renamedFrom: renamed.slug });
    else if (!there) plan.new.push(it);
    else if (there.hash !== it.hash) plan.changed.push(it);
    else plan.unchanged.push(it);
  }
  const gone = [...published.values()].filter((p) => !claimed.has(p.slug));
  if (o.prune && o.unreadable === 0) plan.withdraw = gone;
  else plan.orphans = gone;
  plan.pruneBlocked = o.prune && o.unreadable > 0 && gone.length > 0;
  if (o.siteHash !== null) plan.site = o.remoteSiteHash === o.siteHash ? 'unchanged' : 'changed';
  return plan;
}

/** Splits items into import bodies of at most BATCH_ITEMS items and about BATCH_BYTES bytes. @param {LocalItem[]} list */
export function batches(list) {
  /** @type {LocalItem[][]} */
  const out = [];
  let size = 0;
  for (const it of list) {
    const last = out[out.length - 1];
    const bytes = Buffer.byteLength(it.json) + 1;
    if (!last || last.length >= BATCH_ITEMS || size + bytes > BATCH_BYTES) {
      out.push([it]);
      size = bytes + 12;
    } else {
      last.push(it);
      size += bytes;
    }
  }
  return out;
}

/** `<file>: <field>: <message>` for one entry of a problem's `errors` list; drops the `items[3].` prefix. */
const fileProblem = (/** @type {string} */ file, /** @type {{ field?: string, message?: string }} */ e) =>
  `${file}: ${String(e.field ?? '').replace(/^items\[\d+\]\.?/, '') || '(item)'}: ${e.message ?? 'was refused'}`;

/**
 * Syncs `dir` to the wirefeed at `url`.
 * Changed items that already exist are imported too (not PUT one by one with If-Match): the import
 * API has no per-item If-Match, and the listing read moments ago is the newsroom's own state, so a
 * batch keeps a 10,000-file sync at 50 requests. Withdrawals do send If-Match (the listed etag).
 * @param {{ url: string, dir: string, token: string, dryRun?: boolean, prune?: boolean, log?: (line: string) => void, warn?: (line: string) => void, progress?: boolean | 'auto' }} o
 * @returns {Promise<{ plan: Plan, done: Done, failed: string[], writer: WriterStats, requests: Record<string, number>, ms: number }>}
 */
export async function sync({ url, dir, token, dryRun = false, prune = false, log = console.log, warn = console.error, progress = 'auto' }) {
  const started = Date.now();
  const api = apiClient(url, token);
  const local = await readContent(dir);
  // Each refusal is told (stderr, by default) as it is found, and returned in `failed`.
  /** @type {string[]} */
  const failed = [];
  const fail = (/** @type {string} */ line) => {
    failed.push(line);
    warn(line);
  };
  for (const e of local.errors) fail(e);
  const published = await listPublished(api);
  let remoteSiteHash = null;
  if (local.site) {
    const a = await api.call('GET', '/api/site');
    if (!a.ok) throw new Error(`GET /api/site: ${problemText(a)}`);
    remoteSiteHash = a.body.meta?.hash ?? null;
  }
  const plan = planSync(local.items, published, {
    prune,
    unreadable: local.errors.length,
    siteHash: local.site?.hash ?? null,
    remoteSiteHash,
  });
  printPlan(plan, log, { dryRun, prune });
  // Partners only when the directory has a partners.yaml; they are sent before the items, whose rights may name them.
  const localPartners = await readPartners(dir);
  for (const e of localPartners?.errors ?? []) fail(e);
  const partnerPlan = localPartners
    ? planPartners(localPartners.partners, await listPartners(api), { prune, unreadable: localPartners.errors.length > 0 })
    : null;
  if (partnerPlan) printPartnerPlan(partnerPlan, log, { dryRun });
  /** @type {WriterStats} */
  const writer = { kvWrites: 0, kvDeletes: 0, unchanged: 0, deferred: 0, pending: 0, failed: 0 };
  /** @type {Done} */
  const done = { created: 0, updated: 0, same: 0, withdrawn: 0, site: null };
  const add = (/** @type {any} */ s) => {
    for (const k of /** @type {(keyof WriterStats)[]} */ (Object.keys(writer))) writer[k] += Number(s?.[k] ?? 0);
  };
  let partners = { created: 0, updated: 0, deleted: 0 };
  const finish = () => {
    const result = { plan, partnerPlan, done, partners, failed, writer, requests: api.requests, ms: Date.now() - started };
    if (!dryRun && partnerPlan) log(`Partners: ${partners.created} new, ${partners.updated} changed, ${partners.deleted} deleted`);
    if (!dryRun) log(summaryLine(result));
    return result;
  };
  if (dryRun) return finish();

  if (local.site && plan.site === 'changed') {
    const a = await api.call('PUT', '/api/site', local.site.json);
    if (a.ok) {
      add(a.body);
      done.site = a.body.changed ? 'updated' : 'unchanged';
    } else {
      done.site = 'failed';
      const errs =
        Array.isArray(a.body.errors) && a.body.errors.length
          ? a.body.errors
          : [{ field: a.body.field ?? '(site)', message: problemText(a) }];
      for (const e of errs) fail(fileProblem('site.yaml', e));
    }
  }

  if (partnerPlan) partners = await putPartners(api, partnerPlan, fail, add);

  const toSend = publicationOrder([...plan.new, ...plan.changed].map((it) => ({ ...it, published: it.body.published })));
  const bar = progressReporter(toSend.length + plan.withdraw.length, progress, log);
  for (const batch of batches(toSend)) {
    let rest = batch;
    // All or nothing per request: drop every item the API names and send the rest again.
    for (let round = 0; rest.length && round < 5; round++) {
      const a = await api.call('POST', '/api/import', `{"items":[${rest.map((it) => it.json).join(',')}]}`);
      if (a.ok) {
        add(a.body);
        for (const o of a.body.items ?? []) {
          if (o.created) done.created++;
          else if (o.changed) done.updated++;
          else done.same++;
        }
        rest = [];
        break;
      }
      const errs = Array.isArray(a.body.errors)
        ? a.body.errors.filter((/** @type {any} */ e) => Number.isInteger(e.index) && rest[e.index])
        : [];
      if (!errs.length) {
        for (const it of rest) fail(`${it.file}: ${problemText(a)}`);
        rest = [];
        break;
      }
      for (const e of errs) fail(fileProblem(/** @type {LocalItem} */ (rest[e.index]).file, e));
      const bad = new Set(errs.map((/** @type {any} */ e) => e.index));
      rest = rest.filter((_, i) => !bad.has(i));
    }
    for (const it of rest) fail(`${it.file}: (item): still refused after five attempts`);
    bar.advance(batch.length);
  }

  for (const p of plan.withdraw) {
    const a = await api.call('DELETE', `/api/items/${encodeURIComponent(p.slug)}`, undefined, { 'If-Match': p.etag });
    if (a.ok) {
      add(a.body);
      done.withdrawn++;
    } else fail(`${p.slug} (no file): ${a.body.field ?? '(item)'}: ${problemText(a).replace(/^[^:]*: /, '')}`);
    bar.advance(1);
  }
  bar.stop();
  if (partnerPlan) await deletePartners(api, partnerPlan, fail, add, partners);
  return finish();
}
