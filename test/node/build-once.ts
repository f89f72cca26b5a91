// globalSetup of the Node project: builds the Worker once per run, as `npm run deploy:check` does, for every test file.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { buildWorker } from '../../scripts/harness.mjs';

declare module 'vitest' {
  export interface ProvidedContext {
    /** The bundled Worker's path; every file starts its Miniflare instances from this one build. */
    workerScript: string;
  }
}

/** Builds into a temporary directory, provides the bundle's path, and removes it after the run. */
export default function setup(project: TestProject): () => void {
  const dir = mkdtempSync(join(tmpdir(), 'wirefeed-worker-'));
  project.provide('workerScript', buildWorker(dir));
  return () => rmSync(dir, { recursive: true, force: true });
}
