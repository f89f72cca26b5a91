// Turns schema issues into what a person reads: the field as they wrote it and a plain sentence.
import type * as v from 'valibot';

/** One problem with one field, e.g. { field: 'authors[0].name', message: 'must not be empty' }. */
export interface FieldProblem {
  field: string;
  message: string;
}

/** Names the field the way a client wrote it, e.g. `authors[0].name`; '(body)' for the whole. */
export function issuePath(issue: v.BaseIssue<unknown>, prefix = ''): string {
  const path = (issue.path ?? [])
    .map((p, i) => (typeof p.key === 'number' ? `[${p.key}]` : `${i || prefix ? '.' : ''}${String(p.key)}`))
    .join('');
  return `${prefix}${path}` || '(body)';
}

const describe = (value: unknown): string => {
  if (value === null) return 'null';
  if (value === undefined) return 'nothing';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'an object';
  if (typeof value === 'string') return 'text';
  return `a ${typeof value}`;
};

/**
 * A sentence for one issue. The schema's own messages are already sentences; the two cases valibot
 * words for itself (a missing key, an unknown key) are put in plain words here.
 */
export function problemOf(issue: v.BaseIssue<unknown>, prefix = ''): FieldProblem {
  const field = issuePath(issue, prefix);
  const last = issue.path?.[issue.path.length - 1];
  if (issue.type === 'strict_object' && issue.expected === 'never') {
    return { field, message: 'is not a field this accepts; leave it out' };
  }
  if (
    (issue.type === 'object' || issue.type === 'strict_object') &&
    last &&
    issue.received === 'undefined' &&
    issue.expected?.startsWith('"')
  ) {
    return { field, message: 'is required' };
  }
  if (issue.kind === 'schema' && last && 'value' in last && issue.message.startsWith('must be') && issue.received !== undefined) {
    return { field, message: `${issue.message} (got ${describe(last.value)})` };
  }
  return { field, message: issue.message };
}

/** Every issue as a field problem: all of them, so a client can fix a body in one round. */
export function problemsOf(issues: readonly v.BaseIssue<unknown>[], prefix = ''): FieldProblem[] {
  return issues.map((i) => problemOf(i, prefix));
}
