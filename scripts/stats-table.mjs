// GET /api/stats as a table for a terminal: one line per row, a column per count, numbers right-aligned.

/**
 * @typedef {{ from: string, to: string, by: string, feed?: string, rows: ({ key: string } & Record<string, number | string>)[] }} StatsAnswer
 */

const TITLES = /** @type {Record<string, string>} */ ({ day: 'day', item: 'item', feed: 'feed', partner: 'partner', site: 'site' });

/**
 * The answer as lines: a heading naming the range, the column titles, the rows, and a total line
 * (subscribers are a level, not a sum, so their total is the sum of the rows only when by is not day).
 * @param {StatsAnswer} s
 * @returns {string[]}
 */
export function formatStats(s) {
  const lines = [`Audience by ${s.by}${s.feed ? ` of ${s.feed}` : ''}, ${s.from} to ${s.to} (UTC days)`];
  if (s.rows.length === 0) return [...lines, '  nothing counted in this range'];
  const counts = Object.keys(s.rows[0] ?? {}).filter((k) => k !== 'key');
  const total = /** @type {Record<string, number>} */ ({});
  for (const r of s.rows) for (const c of counts) total[c] = (total[c] ?? 0) + (Number(r[c]) || 0);
  const table = [
    [TITLES[s.by] ?? s.by, ...counts],
    ...s.rows.map((r) => [r.key, ...counts.map((c) => String(r[c] ?? 0))]),
    ['total', ...counts.map((c) => String(total[c] ?? 0))],
  ];
  const widths = table[0]?.map((_, i) => Math.max(...table.map((row) => (row[i] ?? '').length))) ?? [];
  const line = (/** @type {string[]} */ row) =>
    row
      .map((cell, i) => (i === 0 ? cell.padEnd(widths[i] ?? 0) : cell.padStart(widths[i] ?? 0)))
      .join('  ')
      .trimEnd();
  return [...lines, ...table.map(line)];
}
