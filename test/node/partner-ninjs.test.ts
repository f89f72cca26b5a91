// ninjs 3.1 output against IPTC's own JSON Schema, with a real validator (Ajv, draft 2020-12).
// IPTC publishes the schema on GitHub (iptc/newsinjson, specification/ninjs-schema_3.1.json) and in no
// npm package, and CI reaches only the npm registry: the schema is read from NINJS_SCHEMA (a path to
// a copy of that file), else from the steering repo's shared/ beside this clone (shared/ninjs/, where
// the team has been asked to put it), and this suite is skipped when neither has it.
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import Ajv2020, { type ValidateFunction } from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import { beforeAll, describe, expect, it } from 'vitest';
import { ninjsItem, renderNinjsList } from '../../src/partners/ninjs';
import type { PartnerEntry } from '../../src/partners/types';
import { SITE, contentRecords, hostileRecords, live, partner } from '../partner-fixtures';

const shared = resolve(import.meta.dirname, '../../../shared/ninjs/ninjs-schema_3.1.json');
const schemaPath = process.env.NINJS_SCHEMA ?? (existsSync(shared) ? shared : undefined);
if (!schemaPath) console.warn(`ninjs schema not found (NINJS_SCHEMA, or ${shared}): the IPTC schema check is skipped`);

describe.skipIf(!schemaPath)('ninjs against IPTC ninjs-schema_3.1.json', () => {
  let validate: ValidateFunction;
  beforeAll(() => {
    const ajv = new Ajv2020({ allErrors: true, strict: false });
    addFormats(ajv);
    // The schema refers to GeoJSON's for places' geometry; ours carry no places, so any value stands in.
    ajv.addSchema({ $id: 'https://geojson.org/schema/GeoJSON.json' });
    validate = ajv.compile(JSON.parse(readFileSync(schemaPath as string, 'utf8')));
  });
  const errors = (o: unknown) => (validate(o) ? [] : (validate.errors ?? []).map((e) => `${e.instancePath} ${e.message}`));

  const entries = (): PartnerEntry[] => {
    const [first, second, ...rest] = [...hostileRecords(), ...contentRecords()];
    return [
      live({
        ...first!,
        rights: {
          usage_terms: 'Not for print.',
          credit: 'Wire & Co',
          expires: '2099-01-01T00:00:00Z',
          embargo: { '*': '2026-01-01T00:00:00Z' },
        },
      }),
      { item: second!, status: 'withdrawn', changedAt: '2026-03-04T00:00:00Z' },
      { item: rest[0]!, status: 'expired', changedAt: '2026-03-05T00:00:00Z' },
      // Related coverage as associations (rel "related"): a ninjs object each, with a name and a uri.
      ...rest.slice(1).map((r, i) => ({
        ...live(r),
        ...(i === 0 ? { related: [first!, rest[0]!].map((o) => ({ id: o.id, slug: o.slug, kind: o.kind, title: o.title })) } : {}),
      })),
    ];
  };

  it('every item, live, withdrawn and expired, full text and summary, is valid', () => {
    for (const content of ['full', 'summary'] as const) {
      const doc = { site: SITE, partner: partner('ninjs', { content }) };
      for (const e of entries()) expect(errors(ninjsItem(doc, e)), `${e.item.slug} ${e.status} ${content}`).toEqual([]);
    }
  });

  it('every object of the list is valid, and the envelope is ours: items and next', () => {
    const list = JSON.parse(
      renderNinjsList({
        site: SITE,
        partner: partner('ninjs'),
        entries: entries(),
        next: 'https://news.example/partners/ninjs-partner/items.json?page=1',
      }),
    );
    expect(Object.keys(list)).toEqual(['items', 'next']);
    for (const o of list.items) expect(errors(o)).toEqual([]);
  });

  it('can fail: the validator refuses what the schema forbids', () => {
    const doc = { site: SITE, partner: partner('ninjs') };
    const good = ninjsItem(doc, live(contentRecords()[0]!));
    expect(errors({ ...good, pubStatus: 'cancelled' }).join()).toContain('pubStatus');
    expect(errors({ ...good, usageterms: 'lowercase is ninjs 1.x naming' }).length).toBeGreaterThan(0);
    expect(errors({ ...good, renditions: [{ name: 'x', width: '640' }] }).join()).toContain('width');
  });
});

// A visible line in the report instead of a silent skip.
if (!schemaPath) console.warn('NINJS_SCHEMA is not set: ninjs output was not checked against IPTC ninjs-schema_3.1.json');
