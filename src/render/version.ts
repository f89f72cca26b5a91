// The render version: bump it whenever any renderer's output changes, so a deploy rebuilds what KV holds.

/**
 * Stored beside every document. When the writer finds its documents made by an older version, it
 * re-renders them all in the background (serving the old copies meanwhile). test/rebuild.test.ts
 * (the golden corpus) fails when a fixed corpus renders to different bytes under the same version.
 */
export const RENDER_VERSION = 6;
