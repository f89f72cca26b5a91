// globalSetup of the Node project: builds the Worker once per run, as `npm run deploy:check` does, for every test file.
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import type { TestProject } from 'vitest/node';
import { buildWorker } from '../../scripts/harness.mjs';

declare module 'vitest' {
  export interface ProvidedContext {
    /** The bundled Worker's path; every file starts its Miniflare instances from this one build. */
    workerScript: string;
  }
}

/** Builds into a directory of its own under dist/, provides the bundle's path, and removes it after the run. */
export default function setup(project: TestProject): () => void {
  // Under the project, not the system's temp directory: Miniflare fails to start a bundle from outside it.
  mkdirSync('dist', { recursive: true });
  const dir = mkdtempSync('dist/test-worker-');
  project.provide('workerScript', buildWorker(dir));
  return () => rmSync(dir, { recursive: true, force: true });
}
