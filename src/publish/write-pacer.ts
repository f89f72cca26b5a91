// Paces the writer's KV writes: Workers KV takes at most one write per second to the same key.

/**
 * Remembers when each key was last written, in the Durable Object's memory. A burst of publishes
 * then writes a shared document (the subscription feed) once, and again a gap later with
 * everything the burst changed, instead of failing on KV's per-key rate limit.
 */
export class WritePacer {
  private readonly last = new Map<string, number>();

  /** The time from which all `keys` may be written again; at or before `now` means at once. */
  readyAt(keys: readonly string[], gapMs: number): number {
    let at = 0;
    for (const k of keys) at = Math.max(at, (this.last.get(k) ?? -Infinity) + gapMs);
    return at;
  }

  /** Records writes made at `now`, and forgets keys whose gap has passed. */
  wrote(keys: readonly string[], now: number, gapMs: number): void {
    for (const k of keys) this.last.set(k, now);
    if (this.last.size > 4096) for (const [k, t] of this.last) if (t + gapMs <= now) this.last.delete(k);
  }
}
