export function parseItemFile(text: string, file: string): Record<string, unknown>;
export function parseSiteFile(text: string): Record<string, unknown>;
export function publicationOrder<T extends Record<string, unknown>>(items: T[]): T[];
export function canonical(value: unknown): string;
export function contentHash(value: unknown): Promise<string>;
