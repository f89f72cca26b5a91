#!/usr/bin/env node
// `npm run status`: the writer's state (GET /api/status) for a person; `--json` prints it raw.
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { DEFAULT_URL, apiClient, problemText } from './api-client.mjs';
import { tokenFor } from './deploy-state.mjs';

/**
 * GET /api/status, as src/publish/results.ts `WriterStatus` describes it.
 * @typedef {{ items: { published: number, scheduled: number }, scheduled: { slug: string, publishAt: string }[],
 *   jobs: { pending: number, backlog: number, failed: number }, liveCounts?: { owed: number, appliedAt: string | null }, failed: { job: unknown, error: string, at: string }[],
 *   render: { version: number, stored: number | null, rebuild: { total: number, done: number, startedAt: string, reason: string } | null },
 *   documents: number, lastPublish: string | null,
 *   hub: { url: string | null, pings: { topic: string, at: string, ok: boolean, detail: string }[] },
 *   edgeCache: { lastPurge: string | null, result: string | null, queued: number } }} WriterStatus
 */

/** "3 min ago", "in 2 h": how far a time is from now. @param {string} iso @param {number} now */
export function relative(iso, now) {
  const ms = Date.parse(iso) - now;
  const a = Math.abs(ms);
  const span =
    a < 60_000
      ? `${Math.round(a / 1000)} s`
      : a < 3_600_000
        ? `${Math.round(a / 60_000)} min`
        : a < 172_800_000
          ? `${Math.round(a / 3_600_000)} h`
          : `${Math.round(a / 86_400_000)} d`;
  return ms >= 0 ? `in ${span}` : `${span} ago`;
}

/** A time as a person reads it, UTC, with how long ago or ahead. @param {string | null} iso @param {number} now */
const when = (iso, now) => (iso ? `${iso.replace('T', ' ').replace(/\.\d+Z$|Z$/, ' UTC')} (${relative(iso, now)})` : 'never');

/** A job as the ledger stores it ({t: 'slug', slug: …}), in a few words. @param {unknown} job */
const jobText = (job) => {
  if (!job || typeof job !== 'object') return String(job);
  const { t, ...rest } = /** @type {Record<string, unknown>} */ (job);
  const args = Object.entries(rest).map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`);
  return [String(t ?? 'job'), ...args].join(' ');
};

/**
 * The status as lines of text.
 * @param {WriterStatus} s
 * @param {{ url: string, now?: number }} o
 * @returns {string[]}
 */
export function formatStatus(s, { url, now = Date.now() }) {
  const lines = [`wirefeed at ${url}`];
  lines.push(`Items:         ${s.items.published} published, ${s.items.scheduled} scheduled`);
  for (const it of s.scheduled) lines.push(`  scheduled    ${it.slug} at ${when(it.publishAt, now)}`);
  if (s.items.scheduled > s.scheduled.length) lines.push(`  … and ${s.items.scheduled - s.scheduled.length} more scheduled`);
  const j = s.jobs;
  lines.push(
    `Jobs:          ${j.pending} pending, ${j.backlog} in the backlog, ${j.failed} failed${j.pending || j.backlog ? ' (the writer is still working)' : ''}`,
  );
  for (const f of s.failed) lines.push(`  failed       ${jobText(f.job)} at ${when(f.at, now)}: ${f.error}`);
  // Apart from the jobs above: the pages live counts still owe, written after publish and rebuild work.
  if (s.liveCounts) lines.push(`Live counts:   ${s.liveCounts.owed} pages owed, last applied ${when(s.liveCounts.appliedAt, now)}`);
  const r = s.render;
  const stale =
    r.stored !== null && r.stored !== r.version ? ` (KV holds version ${r.stored})` : r.stored === null ? ' (nothing rendered yet)' : '';
  lines.push(`Render:        version ${r.version}${stale}`);
  if (r.rebuild) {
    const pct = r.rebuild.total ? Math.floor((100 * r.rebuild.done) / r.rebuild.total) : 100;
    lines.push(
      `  rebuilding   ${r.rebuild.done}/${r.rebuild.total} (${pct}%), ${r.rebuild.reason}, started ${when(r.rebuild.startedAt, now)}`,
    );
  } else lines.push('  no rebuild in progress');
  lines.push(`Documents:     ${s.documents} in KV`);
  lines.push(`Last publish:  ${when(s.lastPublish, now)}`);
  if (!s.hub.url) lines.push('WebSub hub:    none configured (HUB_URL unset)');
  else {
    const fails = s.hub.pings.filter((p) => !p.ok).length;
    lines.push(`WebSub hub:    ${s.hub.url}; last ${s.hub.pings.length} pings: ${s.hub.pings.length - fails} ok, ${fails} failed`);
    for (const p of s.hub.pings)
      lines.push(`  ${p.ok ? 'ok    ' : 'FAILED'}       ${p.topic} at ${when(p.at, now)}${p.detail ? `: ${p.detail}` : ''}`);
  }
  const e = s.edgeCache;
  lines.push(
    `Edge cache:    last purge ${when(e.lastPurge, now)}${e.result ? `: ${e.result}` : ''}; ${e.queued} purge${e.queued === 1 ? '' : 's'} queued`,
  );
  return lines;
}

/**
 * Each partner, what it gets, and every item it refuses with the reasons (GET /api/partners/:id/preflight).
 * @param {{ id: string, name?: string, profile?: string, error?: string }[]} partners
 * @param {Map<string, { counts: { items: number, delivered: number, refused: number, dropped: number }, items: { slug: string, deliver: string, refusals: { reason: string, message: string }[] }[], dropped: { slug: string, reason: string }[] }>} preflights
 * @returns {string[]}
 */
export function formatPartners(partners, preflights) {
  const lines = [`Partners:      ${partners.length}`];
  for (const p of partners) {
    const pf = preflights.get(p.id);
    if (p.error || !pf) {
      lines.push(`  ${p.id}: ${p.error ?? 'no preflight'}`);
      continue;
    }
    const c = pf.counts;
    lines.push(
      `  ${p.id} (${p.profile}): ${c.delivered} of ${c.items} items delivered, ${c.refused} refused, ${c.dropped} left out for size`,
    );
    for (const it of pf.items.filter((i) => i.deliver === 'none'))
      lines.push(`    refused    ${it.slug}: ${it.refusals.map((r) => r.message).join('; ')}`);
    for (const d of pf.dropped) lines.push(`    left out   ${d.slug}: ${d.reason}`);
  }
  return lines;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  let values;
  try {
    ({ values } = parseArgs({
      options: {
        url: { type: 'string', default: DEFAULT_URL },
        token: { type: 'string' },
        json: { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
      },
    }));
  } catch (err) {
    console.error(`${err instanceof Error ? err.message : String(err)}\nUsage: npm run status -- [--url URL] [--token TOKEN] [--json]`);
    process.exit(2);
  }
  if (values.help) {
    console.log(
      'Usage: npm run status -- [--url URL] [--token TOKEN] [--json]\n  The writer at URL (default $WIREFEED_URL or http://127.0.0.1:8787): items, schedule, jobs, render, hub, edge cache.',
    );
    process.exit(0);
  }
  const token = values.token ?? process.env.API_TOKEN ?? (await tokenFor(values.url));
  if (!token) {
    console.error(
      'No API token: pass --token, set API_TOKEN, run `npm start` once to create .dev.vars, or (for the deployed site) copy .deploy/secrets.json from the machine that deployed it',
    );
    process.exit(2);
  }
  try {
    const api = apiClient(values.url, token);
    const a = await api.call('GET', '/api/status');
    if (!a.ok) throw new Error(`GET /api/status: ${problemText(a)}`);
    console.log(values.json ? JSON.stringify(a.body, null, 2) : formatStatus(a.body, { url: values.url }).join('\n'));
    const p = values.json ? null : await api.call('GET', '/api/partners');
    if (p?.ok && p.body.partners.length) {
      const preflights = new Map();
      for (const partner of p.body.partners) {
        const f = partner.error ? null : await api.call('GET', `/api/partners/${encodeURIComponent(partner.id)}/preflight`);
        if (f?.ok) preflights.set(partner.id, f.body);
      }
      console.log(formatPartners(p.body.partners, preflights).join('\n'));
    }
  } catch (err) {
    console.error(`status: ${err instanceof Error ? err.message : String(err)}`);
    process.exit(2);
  }
}
