// Partners and rights as the API will take them: schema refusals name the field, and rights are checked
// against the partners that exist and the item's publication.
import * as v from 'valibot';
import { describe, expect, it } from 'vitest';
import { problemsOf } from '../../src/model/messages';
import { PartnerInput, PartnerId, Rights, imageSyndication, rightsProblems } from '../../src/model/partner';

const fields = (schema: v.GenericSchema, value: unknown) => {
  const r = v.safeParse(schema, value);
  return r.success ? [] : problemsOf(r.issues).map((p) => `${p.field}: ${p.message}`);
};

describe('PartnerInput', () => {
  it('takes a name and a profile; content defaults to full; scope lists are kept', () => {
    expect(v.parse(PartnerInput, { name: '  MSN   Start ', profile: 'msn' })).toEqual({
      name: 'MSN Start',
      profile: 'msn',
      content: 'full',
    });
    const p = v.parse(PartnerInput, {
      name: 'Wire',
      profile: 'ninjs',
      scope: { kinds: ['video'], sections: ['World'], tags: ['Korea', 'trade'] },
      content: 'summary',
    });
    expect(p.scope).toEqual({ kinds: ['video'], sections: ['World'], tags: ['Korea', 'trade'] });
    expect(p.content).toBe('summary');
  });

  it('refuses an unknown profile, a bad scope, unknown fields and empty names, naming each field', () => {
    expect(fields(PartnerInput, { name: 'X', profile: 'yahoo' })).toEqual([
      'profile: must be one of "rss", "msn", "smartnews", "flipboard", "newsbreak", "ninjs" (got text)',
    ]);
    expect(fields(PartnerInput, { name: 'X', profile: 'rss', scope: { kinds: ['podcast'] } })).toEqual([
      'scope.kinds[0]: must be "video" or "article" (got text)',
    ]);
    expect(fields(PartnerInput, { name: 'X', profile: 'rss', scope: { tags: [] } })).toEqual([
      'scope.tags: must name at least one, or be left out',
    ]);
    expect(fields(PartnerInput, { name: 'X', profile: 'rss', scope: { authors: ['A'] } })).toEqual([
      'scope.authors: is not a field this accepts; leave it out',
    ]);
    expect(fields(PartnerInput, { name: ' ', profile: 'rss' })).toEqual(['name: must not be empty']);
    expect(fields(PartnerInput, { name: 'X', profile: 'rss', content: 'teaser' })).toEqual([
      'content: must be "full" or "summary" (got text)',
    ]);
    expect(fields(PartnerInput, { profile: 'rss' })).toEqual(['name: is required']);
  });

  it('partner ids follow the item slug pattern', () => {
    expect(fields(PartnerId, 'msn-start')).toEqual([]);
    expect(fields(PartnerId, 'MSN Start')[0]).toMatch(/^\(body\): must be lowercase letters/);
    expect(fields(PartnerId, 'a--b')).toHaveLength(1);
  });
});

describe('Rights', () => {
  const published = '2026-03-01T09:00:00+09:00';
  const partners = new Set(['msn-start', 'wire']);

  it('takes every field and leaves defaults to the reader', () => {
    const r = v.parse(Rights, {
      syndication: ['msn-start'],
      embargo: { '*': '2026-03-01T12:00:00Z', 'msn-start': '2026-03-02T00:00:00Z' },
      expires: '2026-04-01T00:00:00Z',
      usage_terms: ' Not for print. ',
      credit: 'Wire & Co',
    });
    expect(r.usage_terms).toBe('Not for print.');
    expect(rightsProblems(r, published, partners)).toEqual([]);
    expect(v.parse(Rights, {})).toEqual({});
    expect(v.parse(Rights, { syndication: 'none' }).syndication).toBe('none');
  });

  it('refuses bad shapes and bad times, naming the field', () => {
    expect(fields(Rights, { syndication: 'some' })).toEqual(['syndication: must be "all", "none" or a list of partner ids (got text)']);
    expect(fields(Rights, { embargo: { 'msn-start': 'tomorrow' } })[0]).toMatch(
      /^embargo\.msn-start: "tomorrow" is not a date-time with an offset/,
    );
    expect(fields(Rights, { embargo: { 'Bad Id': '2026-03-02T00:00:00Z' } })).toHaveLength(1);
    expect(fields(Rights, { expires: '2026-02-30T00:00:00Z' })).toEqual(['expires: "2026-02-30T00:00:00Z" is not a date']);
    expect(fields(Rights, { licence: 'x' })).toEqual(['licence: is not a field this accepts; leave it out']);
    expect(fields(imageSyndication, 'no')).toEqual(['(body): must be true or false']);
  });

  it('names partners that do not exist and an expiry at or before publication', () => {
    const r = v.parse(Rights, {
      syndication: ['wire', 'nobody'],
      embargo: { 'msn-start': '2026-03-02T00:00:00Z', 'msn-strat': '2026-03-02T00:00:00Z', '*': '2026-03-02T00:00:00Z' },
      expires: '2026-03-01T00:00:00Z',
    });
    expect(rightsProblems(r, published, partners)).toEqual([
      { field: 'rights.syndication[1]', message: 'names "nobody", which is not a partner' },
      { field: 'rights.embargo.msn-strat', message: 'names "msn-strat", which is not a partner' },
      { field: 'rights.expires', message: 'must be after published (2026-03-01T09:00:00+09:00)' },
    ]);
    // The same instant written with another offset is not after publication either.
    expect(rightsProblems({ expires: '2026-03-01T00:00:00Z' }, published, partners)).toHaveLength(1);
    expect(rightsProblems({ expires: '2026-03-01T00:00:01Z' }, published, partners)).toEqual([]);
    expect(rightsProblems(undefined, published, partners)).toEqual([]);
  });
});
