export interface StatsAnswer {
  from: string;
  to: string;
  by: string;
  rows: ({ key: string } & Record<string, number | string>)[];
}
export function formatStats(s: StatsAnswer): string[];
