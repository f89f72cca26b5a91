// What the sync tells a person: the plan before anything is sent, progress while it runs (a bar on a
// terminal, plain lines in CI logs) and one summary line of what the writer actually did.
import cliProgress from 'cli-progress';

/** Names shown per group before "and N more". */
const FEW = 10;

/** @param {string[]} names */
function few(names) {
  if (names.length <= FEW) return names.join(', ');
  return `${names.slice(0, FEW).join(', ')} and ${(names.length - FEW).toLocaleString('en')} more`;
}

const plural = (/** @type {number} */ n, /** @type {string} */ one, many = `${one}s`) =>
  `${n.toLocaleString('en')} ${n === 1 ? one : many}`;

/**
 * @param {import('./sync.mjs').Plan} plan
 * @param {(line: string) => void} log
 * @param {{ dryRun: boolean, prune: boolean }} o
 */
export function printPlan(plan, log, { dryRun, prune }) {
  const site = plan.site === 'absent' ? 'no site.yaml' : `site.yaml ${plan.site}`;
  const withdraw = prune ? `, ${plan.withdraw.length.toLocaleString('en')} to withdraw` : '';
  log(
    `${dryRun ? 'Plan (dry run, nothing will be sent)' : 'Plan'}: ${plan.new.length.toLocaleString('en')} new, ${plan.changed.length.toLocaleString('en')} changed, ${plan.unchanged.length.toLocaleString('en')} unchanged${withdraw}; ${site}`,
  );
  if (plan.new.length) log(`  new:       ${few(plan.new.map((i) => i.file))}`);
  if (plan.changed.length)
    log(`  changed:   ${few(plan.changed.map((i) => (i.renamedFrom ? `${i.file} (renamed from ${i.renamedFrom})` : i.file)))}`);
  // A withdrawal cannot be taken back by the next sync, so every one is named, however many.
  if (plan.withdraw.length) log(`  withdraw:  ${plan.withdraw.map((p) => p.slug).join(', ')}`);
  if (plan.orphans.length) {
    const why = plan.pruneBlocked ? 'not withdrawn while a file cannot be read; fix it first' : 'run with --prune to withdraw them';
    log(
      `  ${plural(plan.orphans.length, 'published item has', 'published items have')} no file (${why}): ${few(plan.orphans.map((p) => p.slug))}`,
    );
  }
}

/**
 * A progress display for `total` steps: cli-progress's bar on a terminal, otherwise a plain line per
 * advance (one per import batch), which reads well in a CI log.
 * @param {number} total
 * @param {boolean | 'auto'} mode
 * @param {(line: string) => void} log
 */
export function progressReporter(total, mode, log) {
  const tty = mode === 'auto' ? Boolean(process.stderr.isTTY) : mode;
  let done = 0;
  if (total === 0) return { advance: (/** @type {number} */ _n) => {}, stop: () => {} };
  if (tty) {
    const bar = new cliProgress.SingleBar(
      {
        format: 'Sending [{bar}] {value}/{total} ({percentage}%) {eta_formatted} left',
        hideCursor: true,
        clearOnComplete: false,
        stream: process.stderr,
      },
      cliProgress.Presets.shades_classic,
    );
    bar.start(total, 0);
    return { advance: (/** @type {number} */ n) => bar.increment(n), stop: () => bar.stop() };
  }
  return {
    advance: (/** @type {number} */ n) => {
      done += n;
      log(`  sent ${done.toLocaleString('en')}/${total.toLocaleString('en')}`);
    },
    stop: () => {},
  };
}

/**
 * The last line: what was accepted, refused and withdrawn, and what the writer did about it.
 * @param {{ done: import('./sync.mjs').Done, failed: string[], writer: import('./sync.mjs').WriterStats, requests: Record<string, number>, ms: number }} r
 */
export function summaryLine({ done, failed, writer, requests, ms }) {
  const published = done.created + done.updated + done.same;
  const parts = [`${done.created} new`, `${done.updated} updated`, ...(done.same ? [`${done.same} already as sent`] : [])];
  const site =
    done.site === null
      ? 'site unchanged'
      : done.site === 'failed'
        ? 'site.yaml refused'
        : done.site === 'updated'
          ? 'site updated'
          : 'site as sent';
  const sent = Object.values(requests).reduce((a, b) => a + b, 0);
  return (
    `Done in ${(ms / 1000).toFixed(1)} s: ${published} published, ${failed.length} failed, ${done.withdrawn} withdrawn (${parts.join(', ')}); ${site}; ` +
    `writer: ${plural(writer.kvWrites, 'KV write')}, ${plural(writer.kvDeletes, 'KV delete')}, ${writer.deferred} deferred, ${writer.pending} pending, ${plural(writer.failed, 'failed job')}; ${plural(sent, 'request')}`
  );
}
