// Dates as the API takes them: RFC 3339 date-times with an offset, real calendar days, a sane window.
import * as v from 'valibot';
import { EARLIEST_DATE, LATEST_DATE } from './limits';

const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,9})?)?(Z|[+-](\d{2}):(\d{2}))$/;

/**
 * Why `s` is not a date the feeds can carry, or null when it is one: the right shape, a day that
 * exists (no 30 February), an offset within ±23:59, and a UTC instant between 1900 and 2200.
 */
export function dateProblem(s: string): string | null {
  const m = RFC3339.exec(s);
  if (!m) return `"${s}" is not a date-time with an offset, such as 2020-06-16T18:30:00+09:00`;
  const [y, mo, d, h, mi, sec, , oh, om] = [m[1], m[2], m[3], m[4], m[5], m[6], m[7], m[8], m[9]].map((x) => Number(x ?? 0)) as number[];
  const days = new Date(Date.UTC(y!, mo!, 0)).getUTCDate();
  if (mo! < 1 || mo! > 12 || d! < 1 || d! > days || h! > 23 || mi! > 59 || sec! > 59 || oh! > 23 || om! > 59) {
    return `"${s}" is not a date`;
  }
  const t = Date.parse(s);
  if (Number.isNaN(t) || t < EARLIEST_DATE || t >= LATEST_DATE) return `"${s}" is outside the years 1900 to 2199`;
  return null;
}

/** The one date-time field of the schemas (items, rights): RFC 3339 with an offset, as `dateProblem` checks it. */
export const dateTime = v.pipe(
  v.string('must be text'),
  v.rawCheck(({ dataset, addIssue }) => {
    if (!dataset.typed) return;
    const problem = dateProblem(dataset.value);
    if (problem) addIssue({ message: problem });
  }),
);
