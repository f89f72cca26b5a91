// `npm run stats`: the table it prints from a real GET /api/stats answer.
import { afterEach, expect, it, vi } from 'vitest';
import { formatStats } from '../../scripts/stats-table.mjs';
import { api, publish, syntheticItem } from '../helpers';
import { cron, visit } from '../audience-helpers';

afterEach(() => vi.useRealTimers());

it('prints one aligned line per row, and a total', async () => {
  await publish(syntheticItem(1));
  vi.useFakeTimers({ toFake: ['Date'], now: Date.UTC(2026, 11, 6, 12) });
  await visit('/feed.xml', { ua: 'Feedly/1.0 (+http://www.feedly.com/fetcher.html; 42 subscribers)' });
  await visit('/feed.xml', { ua: 'BazQux/2.4 (+https://bazqux.com/fetcher; 2 subscribers)' });
  await visit('/feed.json');
  await cron();
  const answer = await (await api('GET', '/stats?by=feed&from=2026-12-06&to=2026-12-06')).json<any>();
  expect(formatStats(answer)).toEqual([
    'Audience by feed, 2026-12-06 to 2026-12-06 (UTC days)',
    'feed        subscribers  fetches',
    '/feed.xml            44        2',
    '/feed.json            1        1',
    'total                45        3',
  ]);
  expect(formatStats({ ...answer, rows: [] })).toEqual([
    'Audience by feed, 2026-12-06 to 2026-12-06 (UTC days)',
    '  nothing counted in this range',
  ]);
});

it('with --feed, names the feed whose days it prints', async () => {
  await publish(syntheticItem(1));
  vi.useFakeTimers({ toFake: ['Date'], now: Date.UTC(2026, 11, 6, 12) });
  await visit('/feed.xml', { ua: 'Feedly/1.0 (+http://www.feedly.com/fetcher.html; 42 subscribers)' });
  await cron();
  const answer = await (await api('GET', '/stats?by=day&feed=/feed.xml&from=2026-12-05&to=2026-12-06')).json<any>();
  expect(formatStats(answer).slice(0, 4)).toEqual([
    'Audience by day of /feed.xml, 2026-12-05 to 2026-12-06 (UTC days)',
    'day         subscribers  fetches',
    '2026-12-05            0        0',
    '2026-12-06           42        1',
  ]);
});
