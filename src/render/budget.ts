// Keeps every list document within its byte budget, whatever its items hold.
import { DOC_BUDGET_BYTES } from '../model/limits';
import type { FeedDoc } from './document';

const encoder = new TextEncoder();

/** UTF-8 size; the exact count is taken only when the cheap upper bound says it might matter. */
export function fits(s: string, budget: number): boolean {
  return s.length * 3 <= budget || encoder.encode(s).byteLength <= budget;
}

/** Largest n in [0, max] for which ok(n) holds, given ok is monotone (true up to some n); -1 if none. */
function largest(max: number, ok: (n: number) => boolean): number {
  let lo = -1;
  let hi = max;
  while (lo < hi) {
    const mid = Math.ceil((lo + hi + 1) / 2);
    if (ok(mid)) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

/**
 * Renders a list document of `n` entries within `budget` bytes. Ordinary documents render once, in
 * full. One that would be too large keeps full detail for as many of its first (newest) entries as
 * fit, then summaries, then titles and links only, so a feed of huge items still lists every item
 * and stays well inside KV's 25 MiB. `render(full, lean)`: entries below `full` in full, below `lean`
 * in summary, the rest minimal. `weights[i]`, when given, estimates the bytes entry i's full detail
 * adds: the cut is then guessed from them and checked, instead of searched for render by render.
 */
export function renderWithin(
  n: number,
  render: (full: number, lean: number) => string,
  budget = DOC_BUDGET_BYTES,
  weights?: readonly number[],
): string {
  const whole = render(n, n);
  if (fits(whole, budget)) return whole;
  let full = n;
  if (weights) {
    const excess = encoder.encode(whole).byteLength - budget;
    for (let saved = 0; full > 0 && saved < excess * 1.05;) saved += weights[--full] ?? 0;
    const guess = render(full, n);
    if (fits(guess, budget)) return guess;
  }
  full = largest(full - 1, (k) => fits(render(k, n), budget));
  if (full >= 0) return render(full, n);
  return render(
    0,
    Math.max(
      0,
      largest(n, (k) => fits(render(0, k), budget)),
    ),
  );
}

/** A feed document rendered within the budget, cutting detail (FeedDoc.detail) from its oldest items. */
export function renderDocWithin(d: FeedDoc, render: (d: FeedDoc) => string, budget = DOC_BUDGET_BYTES): string {
  const weights = d.items.map((i) => i.bodyHtml.length);
  return renderWithin(
    d.items.length,
    (full, lean) => render(full === d.items.length ? d : { ...d, detail: { full, lean } }),
    budget,
    weights,
  );
}
