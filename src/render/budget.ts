// Keeps every list document within its byte budget, whatever its items hold.
import { DOC_BUDGET_BYTES } from '../model/limits';
import type { FeedDoc } from './document';

const encoder = new TextEncoder();

/** UTF-8 size; the exact count is taken only when the cheap upper bound says it might matter. */
export function fits(s: string, budget: number): boolean {
  return s.length * 3 <= budget || encoder.encode(s).byteLength <= budget;
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
 * `full` in full, below `lean` in summary, the rest minimal. `weights()`, when given, estimates the
 * bytes each entry's full detail adds: the cut is guessed from them, and searched for only between
 * the guess and a render that did not fit, instead of over every entry.
 */
export function renderWithin(
  n: number,
  render: (full: number, lean: number) => string,
  budget = DOC_BUDGET_BYTES,
  weights?: () => readonly number[],
): string {
  const whole = render(n, n);
  if (fits(whole, budget)) return whole;
  const ok = (k: number) => fits(render(k, n), budget);
  let lo = 0;
  let hi = n - 1;
  if (weights) {
    const w = weights();
    let guess = n;
    const excess = encoder.encode(whole).byteLength - budget;
    for (let saved = 0; guess > 0 && saved < excess;) saved += w[--guess] ?? 0;
    if (ok(guess)) lo = guess;
    else hi = guess - 1;
  }
  const full = largest(lo, hi, ok);
  if (full >= 0) return render(full, n);
  return render(
    0,
    Math.max(
      0,
      largest(0, n, (k) => fits(render(0, k), budget)),
    ),
  );
}

/** A feed document rendered within the budget, cutting detail (FeedDoc.detail) from its oldest items. */
export function renderDocWithin(d: FeedDoc, render: (d: FeedDoc) => string, budget = DOC_BUDGET_BYTES): string {
  // Cutting an item's detail saves at least its body's HTML, in UTF-8 bytes.
  const weights = () => d.items.map((i) => encoder.encode(i.bodyHtml).byteLength);
  return renderWithin(
    d.items.length,
    (full, lean) => render(full === d.items.length ? d : { ...d, detail: { full, lean } }),
    budget,
    weights,
  );
}
