// Every size limit in one place: what the API accepts, what the writer stores, what KV can hold.

/** Field lengths, in characters (UTF-16 code units, as JavaScript counts them). */
export const LIMITS = {
  slug: 120,
  title: 300,
  summary: 2000,
  /** Markdown as sent. */
  body: 200_000,
  /** The body's HTML once rendered: reference links can multiply a small body many times over. */
  bodyHtmlBytes: 400 * 1024,
  transcript: 100_000,
  name: 120,
  authors: 10,
  tag: 60,
  tags: 30,
  section: 80,
  url: 2048,
  alt: 500,
  captions: 10,
  captionLabel: 80,
  /** Items in one POST /api/import. */
  importItems: 200,
  /** Request bodies: one item, and one import batch. */
  itemRequestBytes: 1024 * 1024,
  importRequestBytes: 8 * 1024 * 1024,
} as const;

/**
 * Every stored document stays under this many bytes, whatever its items: KV takes values up to
 * 25 MiB, and a feed reader should not have to download more than a few.
 */
export const DOC_BUDGET_BYTES = 4 * 1024 * 1024;

/** KV refuses keys over 512 bytes; a path whose key would be longer is answered 404 unread. */
export const MAX_KEY_BYTES = 512;

/** Items a feed page may be configured to hold (PAGE_SIZE). */
export const MAX_PAGE_SIZE = 100;

/** Scope slugs (tags, authors, sections) are cut to this many bytes once percent-encoded. */
export const MAX_NAME_SLUG_BYTES = 150;

/** Dates outside this window are refused: Atom and RSS dates need four-digit years. */
export const EARLIEST_DATE = Date.UTC(1900, 0, 1);
export const LATEST_DATE = Date.UTC(2200, 0, 1);

/** Slugs and partner ids: lowercase letters a-z, digits and single hyphens. */
export const SLUG_PATTERN = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;
