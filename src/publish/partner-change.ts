// Partners' side of a change: what each partner carries of an item after it (a write to partner_items),
// and the partner jobs that owes. Only partners whose documents held or now hold the item owe jobs.
import { canonical } from '../model/hash';
import type { Partner } from '../model/partner';
import type { ItemRecord } from '../model/schema';
import { decide } from '../partners/decide';
import type { IndexChange } from './index-change';
import type { Job } from './jobs';
import type { Carried } from './partner-store';
import type { Pass } from './stores';

const shown = (c: Carried | null) => c !== null && c.status !== 'held';

/** The jobs one partner's documents owe for the given slugs (ninjs has a document per item). */
export function partnerJobs(partner: Pick<Partner, 'id' | 'profile'>, slugs: Iterable<string>): Job[] {
  const jobs: Job[] = [{ t: 'partner', id: partner.id }];
  if (partner.profile === 'ninjs') for (const slug of new Set(slugs)) jobs.push({ t: 'partner-item', id: partner.id, slug });
  return jobs;
}

/** What a withdrawn item's row keeps: enough to say it is taken down, not its body. */
const takedownRecord = (r: ItemRecord): ItemRecord => {
  const { transcript: _t, ...rest } = r;
  return { ...rest, body: '', bodyHtml: '' };
};

/**
 * Decides what `partner` carries of the item `id` now (`record` null: it was withdrawn, `last` being
 * what it was), and writes the row when that changed. Returns the row before and after.
 */
export function carryItem(
  pass: Pass,
  partner: Partner,
  id: string,
  record: ItemRecord | null,
  last: ItemRecord,
): { before: Carried | null; after: Carried | null } {
  const { partners } = pass.stores;
  const { now } = pass;
  const before = partners.carried(partner.id, id);
  const base = { partner: partner.id, item: id, slug: (record ?? last).slug, record: null };
  let after: Carried | null = null;
  if (!record) {
    // A takedown reaches only a partner that had the item; an expired one stays as it was taken down.
    if (before && (before.status === 'live' || before.status === 'expired' || before.status === 'withdrawn')) {
      const fresh = before.status === 'live';
      after = {
        ...before,
        status: fresh ? 'withdrawn' : before.status,
        changedAt: fresh ? now : before.changedAt,
        sortAt: fresh ? now : before.sortAt,
        nextAt: null,
        record: before.record ?? takedownRecord(last),
      };
    }
  } else {
    const d = decide(record, partner, pass.site, now);
    const nextAt = d.nextChange ?? null;
    if (d.deliver === 'item') {
      const since = before?.status === 'live' ? before.changedAt : now;
      after = { ...base, status: 'live', changedAt: since, sortAt: Date.parse(record.published), nextAt };
    } else if (d.deliver === 'expired' && before && before.status !== 'held') {
      // The expiry instant is the "newer date" a takedown needs (it is after publication).
      const at = before.status === 'expired' ? before.changedAt : Date.parse(record.rights?.expires ?? '') || now;
      after = { ...base, status: 'expired', changedAt: at, sortAt: at, nextAt: null };
    } else if (nextAt !== null) {
      after = { ...base, status: 'held', changedAt: now, sortAt: Date.parse(record.published), nextAt };
    }
  }
  if (!after) {
    if (before) partners.dropCarried(partner.id, id);
  } else if (!before || canonical(before) !== canonical(after)) {
    partners.saveCarried(after);
  }
  return { before, after };
}

/** Adds to a committed item's change what it owes the partners whose documents held or now hold it. */
export function withPartnerJobs(pass: Pass, change: IndexChange, record: ItemRecord): IndexChange {
  if (change.outcome.changed) change.jobs.push(...itemPartnerJobs(pass, record.id, record, record));
  return change;
}

/**
 * After an item changed (published, edited, scheduled, withdrawn): every readable partner's row for
 * it, and the jobs of the partners whose documents held it before or hold it now.
 */
export function itemPartnerJobs(pass: Pass, id: string, record: ItemRecord | null, last: ItemRecord): Job[] {
  const { partners } = pass.stores;
  const readable = partners.readable();
  const ok = new Set(readable.map((p) => p.id));
  // A partner whose stored row no longer reads owes its job, so it is set aside and shows in the status.
  const jobs: Job[] = partners
    .ids()
    .filter((p) => !ok.has(p))
    .map((p): Job => ({ t: 'partner', id: p }));
  for (const partner of readable) {
    const { before, after } = carryItem(pass, partner, id, record, last);
    if (shown(before) || shown(after))
      jobs.push(
        ...partnerJobs(
          partner,
          [before?.slug, after?.slug].filter((s): s is string => !!s),
        ),
      );
  }
  return jobs;
}

/** The rows whose decision is due (an embargo ended, an expiry came): decided again; the jobs owed where what is shown changed. */
export function releasePartnersDue(pass: Pass): Job[] {
  const { partners, items } = pass.stores;
  const jobs: Job[] = [];
  const byId = new Map(partners.readable().map((p) => [p.id, p]));
  for (const due of partners.due(pass.now)) {
    const partner = byId.get(due.partner);
    const it = items.itemById(due.item);
    const before = partners.carried(due.partner, due.item);
    if (!before) continue;
    if (!partner) {
      // Its stored row no longer reads: nothing can be decided until it is put right, which decides every item again.
      partners.saveCarried({ ...before, nextAt: null });
      continue;
    }
    if (!it) {
      // Gone without a takedown (it was only held): nothing to say.
      partners.dropCarried(due.partner, due.item);
      continue;
    }
    const { after } = carryItem(pass, partner, due.item, it.record, it.record);
    if (shown(before) || shown(after))
      jobs.push(
        ...partnerJobs(
          partner,
          [before.slug, after?.slug].filter((s): s is string => !!s),
        ),
      );
  }
  return jobs;
}

/**
 * A partner created or changed: every item decided again for it alone, and its documents owed
 * whole (its feed or list pages, and each item it shows or showed).
 */
export function refreshPartner(pass: Pass, partner: Partner): Job[] {
  const { partners, items } = pass.stores;
  const slugs = new Set<string>();
  const seen = new Set<string>();
  for (let after = ''; ;) {
    const page = items.list(after, 500);
    for (const row of page) {
      const it = items.itemById(row.id);
      if (!it) continue;
      seen.add(row.id);
      const { before, after: now } = carryItem(pass, partner, row.id, it.record, it.record);
      if (shown(before) && before) slugs.add(before.slug);
      if (shown(now) && now) slugs.add(now.slug);
    }
    if (page.length < 500) break;
    after = page[page.length - 1]?.slug ?? '';
  }
  // Rows of items that are gone (taken down) stay shown as they were.
  for (const id of partners.itemsOf(partner.id)) {
    if (seen.has(id)) continue;
    const c = partners.carried(partner.id, id);
    if (shown(c) && c) slugs.add(c.slug);
  }
  return partnerJobs(partner, slugs);
}
