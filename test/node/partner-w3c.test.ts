// The W3C Feed Validation Service's own code over every RSS-based partner profile: content/, the
// hostile items, a takedown and rights text, written to files with the partner feed's URL as base.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Profile } from '../../src/model/partner';
import { feedUrlOf } from '../../src/partners/rss-base';
import { RENDERERS } from '../../src/partners/render';
import { MI_NS } from '../../src/partners/msn';
import { SNF_NS } from '../../src/partners/smartnews';
import type { PartnerDoc, PartnerEntry } from '../../src/partners/types';
import { SITE, contentRecords, hostileRecords, live, partner } from '../partner-fixtures';
import { w3cValidate } from './feed-docs';

const dir = mkdtempSync(join(tmpdir(), 'wirefeed-partners-'));

function entries(): PartnerEntry[] {
  const [first, second, ...rest] = [...hostileRecords(), ...contentRecords()];
  return [
    // Rights text as hostile as any other field, on a live item.
    live({
      ...first!,
      rights: { usage_terms: `Terms: ${first!.title}`, credit: `Credit: ${first!.title}`, expires: '2099-01-01T00:00:00Z' },
    }),
    { item: second!, status: 'withdrawn', changedAt: '2026-03-04T00:00:00Z' },
    ...rest.map(live),
  ];
}

// What the validator says about each partner's own specification, and nothing else it may say:
// it knows no partner namespace ("unknown namespace" is a warning), and RSS 2.0 extension elements may
// not hold un-namespaced children, which SmartFormat's <snf:logo><url> does by design; its Media RSS
// predates <media:status>, which SmartNews uses for deletions.
const SPEC_FINDINGS: Record<string, { errors: RegExp[]; warnings: RegExp[] }> = {
  rss: { errors: [], warnings: [] },
  flipboard: { errors: [], warnings: [] },
  msn: { errors: [], warnings: [new RegExp(`^line \\d+, column \\d+: Use of unknown namespace: ${MI_NS}$`)] },
  newsbreak: { errors: [], warnings: [] },
  smartnews: {
    errors: [/^line \d+, column \d+: Missing namespace for url$/, /^line \d+, column \d+: Undefined item element: media:status$/],
    warnings: [new RegExp(`^line \\d+, column \\d+: Use of unknown namespace: ${SNF_NS}$`)],
  },
};

const matches = (got: string[], want: RegExp[]) => got.length === want.length && want.every((re, i) => re.test(got[i] as string));

describe('the W3C validator on every RSS-based partner profile', () => {
  for (const profile of ['rss', 'msn', 'smartnews', 'flipboard', 'newsbreak'] as Profile[]) {
    for (const content of ['full', 'summary'] as const) {
      it(`${profile} (${content}): 0 errors, 0 warnings beyond its specification's own elements`, { timeout: 60_000 }, async () => {
        const doc: PartnerDoc = {
          site: SITE,
          partner: partner(profile, { content }),
          entries: entries(),
          analytics: '<script>var a = 1 < 2 && "]]>";</script>',
        };
        const file = join(dir, `${profile}-${content}.xml`);
        writeFileSync(file, RENDERERS[profile](doc));
        const verdict = await w3cValidate(file, feedUrlOf(doc));
        expect(verdict.feedType).toBe('rss2');
        const want = SPEC_FINDINGS[profile]!;
        expect(matches(verdict.errors, want.errors), verdict.errors.join('\n')).toBe(true);
        expect(matches(verdict.warnings, want.warnings), verdict.warnings.join('\n')).toBe(true);
      });
    }
  }
});
