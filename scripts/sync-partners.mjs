// The partners part of `npm run publish`: content/partners.yaml (no secrets: credentials are made
// through the API) against GET /api/partners, by the hash of what was sent, as items are synced.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parse } from 'yaml';
import { problemText } from './api-client.mjs';
import { contentHash } from './content.mjs';

/**
 * @typedef {{ id: string, body: Record<string, unknown>, json: string, hash: string }} LocalPartner
 * @typedef {{ id: string, hash: string, profile?: string, error?: string }} ListedPartner
 * @typedef {{ new: LocalPartner[], changed: LocalPartner[], unchanged: LocalPartner[], remove: ListedPartner[], orphans: ListedPartner[] }} PartnerPlan
 */

const FILE = 'partners.yaml';

/**
 * Reads DIR/partners.yaml: a mapping of partner id to its body ({name, profile, scope?, content?}).
 * Null when there is no such file (the sync then leaves partners alone).
 * @param {string} dir
 * @returns {Promise<{ partners: LocalPartner[], errors: string[] } | null>}
 */
export async function readPartners(dir) {
  const text = await readFile(join(dir, FILE), 'utf8').catch(() => null);
  if (text === null) return null;
  let data;
  try {
    data = parse(text);
  } catch (err) {
    return { partners: [], errors: [`${FILE}: (yaml): ${err instanceof Error ? err.message.split('\n')[0] : String(err)}`] };
  }
  if (data === null || data === undefined) return { partners: [], errors: [] };
  if (typeof data !== 'object' || Array.isArray(data))
    return { partners: [], errors: [`${FILE}: (yaml): must map partner ids to partners`] };
  /** @type {LocalPartner[]} */
  const partners = [];
  /** @type {string[]} */
  const errors = [];
  for (const [id, body] of Object.entries(data)) {
    if (typeof body !== 'object' || body === null || Array.isArray(body)) {
      errors.push(`${FILE}: ${id}: must be a mapping with name and profile`);
      continue;
    }
    const json = JSON.stringify(body);
    const sent = JSON.parse(json);
    partners.push({ id, body: sent, json, hash: await contentHash(sent) });
  }
  return { partners, errors };
}

/** Every partner the writer holds. @param {import('./api-client.mjs').ApiClient} api @returns {Promise<ListedPartner[]>} */
export async function listPartners(api) {
  const a = await api.call('GET', '/api/partners');
  if (!a.ok) throw new Error(`GET /api/partners: ${problemText(a)}`);
  return a.body.partners;
}

/**
 * What a partner sync would do: new, changed (another hash) and unchanged partners; partners the writer
 * holds that the file does not name are deleted with --prune, else only named.
 * @param {LocalPartner[]} local @param {ListedPartner[]} listed @param {{ prune: boolean, unreadable: boolean }} o
 * @returns {PartnerPlan}
 */
export function planPartners(local, listed, { prune, unreadable }) {
  const there = new Map(listed.map((p) => [p.id, p]));
  /** @type {PartnerPlan} */
  const plan = { new: [], changed: [], unchanged: [], remove: [], orphans: [] };
  for (const p of local) {
    const t = there.get(p.id);
    if (!t) plan.new.push(p);
    else if (t.hash !== p.hash) plan.changed.push(p);
    else plan.unchanged.push(p);
  }
  const named = new Set(local.map((p) => p.id));
  const gone = listed.filter((p) => !named.has(p.id));
  // A file that cannot be read would make every partner look gone: nothing is deleted then.
  if (prune && !unreadable) plan.remove = gone;
  else plan.orphans = gone;
  return plan;
}

/** @param {PartnerPlan} plan @param {(line: string) => void} log @param {{ dryRun: boolean }} o */
export function printPartnerPlan(plan, log, { dryRun }) {
  const remove = plan.remove.length ? `, ${plan.remove.length} to delete` : '';
  log(
    `Partners${dryRun ? ' (dry run)' : ''}: ${plan.new.length} new, ${plan.changed.length} changed, ${plan.unchanged.length} unchanged${remove}`,
  );
  if (plan.new.length) log(`  new:       ${plan.new.map((p) => p.id).join(', ')}`);
  if (plan.changed.length) log(`  changed:   ${plan.changed.map((p) => p.id).join(', ')}`);
  if (plan.remove.length) log(`  delete:    ${plan.remove.map((p) => p.id).join(', ')}`);
  if (plan.orphans.length) log(`  not in ${FILE} (run with --prune to delete): ${plan.orphans.map((p) => p.id).join(', ')}`);
}

/**
 * Sends the new and changed partners (before the items: an item's rights may name them).
 * @param {import('./api-client.mjs').ApiClient} api @param {PartnerPlan} plan
 * @param {(line: string) => void} fail @param {(stats: unknown) => void} add
 */
export async function putPartners(api, plan, fail, add) {
  const done = { created: 0, updated: 0, deleted: 0 };
  for (const p of [...plan.new, ...plan.changed]) {
    const a = await api.call('PUT', `/api/partners/${encodeURIComponent(p.id)}`, p.json);
    if (!a.ok) {
      const errs =
        Array.isArray(a.body.errors) && a.body.errors.length ? a.body.errors : [{ field: a.body.field, message: problemText(a) }];
      for (const e of errs) fail(`${FILE}: ${p.id}.${e.field ?? '(partner)'}: ${e.message ?? 'was refused'}`);
      continue;
    }
    add(a.body);
    if (a.body.created) done.created++;
    else done.updated++;
  }
  return done;
}

/**
 * Deletes the partners --prune named (after the items).
 * @param {import('./api-client.mjs').ApiClient} api @param {PartnerPlan} plan
 * @param {(line: string) => void} fail @param {(stats: unknown) => void} add @param {{ deleted: number }} done
 */
export async function deletePartners(api, plan, fail, add, done) {
  for (const p of plan.remove) {
    const a = await api.call('DELETE', `/api/partners/${encodeURIComponent(p.id)}`);
    if (!a.ok) fail(`${p.id} (not in ${FILE}): ${problemText(a)}`);
    else {
      add(a.body);
      done.deleted++;
    }
  }
}
