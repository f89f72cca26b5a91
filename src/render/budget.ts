// Keeps every list document within its byte budget, whatever its items hold, in about one render.
import { DOC_BUDGET_BYTES } from '../model/limits';
import type { FeedDoc } from './document';

const encoder = new TextEncoder();

/** UTF-8 size; the exact count is taken only when the cheap upper bound says it might matter. */
export function fits(s: string, budget: number): boolean {
  return s.length * 3 <= budget || bytesWithin(s, budget) <= budget;
}

let scratch = new Uint8Array(0);

/**
 * UTF-8 bytes of `s` when at most `budget`, else Infinity: encoded into one buffer kept for the
 * purpose (a document's measure allocates nothing, and stops once past the budget).
 */
export function bytesWithin(s: string, budget: number): number {
  if (s.length * 3 <= budget) return encoder.encodeInto(s, (scratch = grown(s.length * 3))).written;
  // A character needs at most 4 bytes: if encoding stopped short, what is left makes it over.
  const { read, written } = encoder.encodeInto(s, (scratch = grown(budget + 4)));
  return read === s.length && written <= budget ? written : Infinity;
}
const grown = (size: number) => (scratch.length >= size ? scratch : new Uint8Array(size));

/** Exact UTF-8 bytes of `s`: into the kept buffer as far as it goes (a budget's worth), the rest encoded apart. */
export function utf8Size(s: string): number {
  const { read, written } = encoder.encodeInto(s, (scratch = grown(Math.min(s.length * 3, DOC_BUDGET_BYTES + 4))));
  return read === s.length ? written : written + encoder.encode(s.slice(read)).byteLength;
}

/** Largest n in [lo, hi] for which ok(n) holds, given ok is monotone (true up to some n); lo - 1 if none. */
function largest(lo: number, hi: number, ok: (n: number) => boolean): number {
  let yes = lo - 1;
  while (yes < hi) {
    const mid = Math.ceil((yes + hi + 1) / 2);
    if (ok(mid)) yes = mid;
    else hi = mid - 1;
  }
  return yes;
}

/**
 * Renders a list document of `n` entries within `budget` bytes. Ordinary documents render once, in
 * full. One that would be too large keeps full detail for as many of its first (newest) entries as
 * fit, then summaries, then titles and links only, so a feed of huge items still lists every item
 * and stays within DOC_BUDGET_BYTES (4 MiB, well inside KV's 25). `render(full, lean)`: entries below
 * `full` in full, below `lean` in summary, the rest minimal. For documents of small entries (the
 * directory, sitemaps): the cut is searched for by rendering.
 */
export function renderWithin(n: number, render: (full: number, lean: number) => string, budget = DOC_BUDGET_BYTES): string {
  const whole = render(n, n);
  if (fits(whole, budget)) return whole;
  const full = largest(0, n - 1, (k) => fits(render(k, n), budget));
  if (full >= 0) return render(full, n);
  return render(
    0,
    Math.max(
      0,
      largest(0, n, (k) => fits(render(0, k), budget)),
    ),
  );
}

// A cut the estimate puts within this many bytes of the budget is checked by rendering: the sizes
// of entries rendered apart add up to the document's within a few bytes (separators, indentation).
const CLOSE_CALL_BYTES = 1024;

/**
 * A feed document rendered within the budget, cutting detail (FeedDoc.detail) from its oldest items,
 * keeping as much as fits, in about one render of the result:
 * - each item is rendered alone as a summary and as a title, and the document once with titles
 *   only: that gives the size of the document with any number of summaries;
 * - the cut in full detail is guessed from the bodies' lengths (scaled by what the newest item's
 *   full detail measured alone) and rendered; from that render's size, the items around the cut are
 *   rendered alone in full, one at a time, to walk to the largest cut that fits, which is rendered
 *   if it is another; the next larger cut is rendered too only when it comes within a kilobyte;
 * - should the estimate be wrong, the cut is searched for by rendering below it, as ever.
 * A document whose bodies add up to less than the budget renders in full first, as it most likely fits.
 */
export function renderDocWithin(d: FeedDoc, render: (d: FeedDoc) => string, budget = DOC_BUDGET_BYTES): string {
  const n = d.items.length;
  let bodies = 0;
  for (const i of d.items) bodies += i.bodyHtml.length;
  // Markup escaped for a feed grows by about a tenth; a wrong guess costs one render of at most a
  // few times the budget, measuring a document that fits costs two.
  if (bodies <= budget * 0.85 || n === 0) {
    const out = render(d);
    if (fits(out, budget)) return out;
  }
  const at = (full: number, lean: number) => render(full === n ? d : { ...d, detail: { full, lean } });
  const alone = (i: number, detail?: { full: 0; lean: 0 | 1 }) => utf8Size(render({ ...d, items: d.items.slice(i, i + 1), detail }));
  // lean[k]: the size with the newest k items in summary, the rest minimal. Not always growing: a
  // JSON Feed summary can be shorter than the title it replaces.
  const lean = [utf8Size(at(0, 0))];
  const summary = d.items.map((_, i) => alone(i, { full: 0, lean: 1 }));
  for (let i = 0; i < n; i++) lean.push(lean[i]! + summary[i]! - alone(i, { full: 0, lean: 0 }));
  if (lean[n]! <= budget) {
    const adds: number[] = []; // what item i's full detail adds to its summary, measured alone
    const add = (i: number) => (adds[i] ??= alone(i) - summary[i]!);
    const ratio = add(0) / Math.max(1, d.items[0]!.bodyHtml.length);
    let k = 0;
    for (let size = lean[n]!; k < n && size + (adds[k] ?? d.items[k]!.bodyHtml.length * ratio) <= budget; k++)
      size += adds[k] ?? d.items[k]!.bodyHtml.length * ratio;
    const first = at(k, n);
    const [anchor, measured] = [k, utf8Size(first)];
    const est = (j: number) => {
      let size = measured;
      for (let i = anchor; i < j; i++) size += add(i);
      for (let i = j; i < anchor; i++) size -= add(i);
      return size;
    };
    if (measured > budget) while (k > 0 && est(k) > budget) k--;
    else while (k < n && est(k + 1) <= budget) k++;
    const out = within(k, n - 1, est, (j) => (j === anchor ? first : at(j, n)), budget);
    if (out !== null) return out;
  }
  let k = 0;
  while (k < n && lean[k + 1]! <= budget) k++;
  return (
    within(
      k,
      n,
      (j) => lean[j]!,
      (j) => at(0, j),
      budget,
    ) ?? at(0, 0)
  );
}

/**
 * The render at the largest k in [0, max] that fits, starting from the estimate's `k`: rendered, and
 * k + 1 rendered too only if the estimate, corrected by k's measured size, puts it within
 * CLOSE_CALL_BYTES of the budget; searched for by rendering if the estimate was wrong. Null when even
 * 0 does not fit.
 */
function within(k: number, max: number, est: (k: number) => number, render: (k: number) => string, budget: number): string | null {
  const ok = (j: number) => fits(render(j), budget);
  const out = render(k);
  const bytes = bytesWithin(out, budget);
  if (bytes > budget) {
    const below = largest(0, k - 1, ok);
    return below >= 0 ? render(below) : null;
  }
  if (k >= max || est(k + 1) + (bytes - est(k)) > budget + CLOSE_CALL_BYTES || !ok(k + 1)) return out;
  return render(largest(k + 1, max, ok));
}
