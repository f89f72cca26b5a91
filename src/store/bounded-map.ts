// The one bounded map for what an isolate keeps in memory: routes, parsed queries, built answers, warm documents.

/**
 * A Map that keeps at most `maxEntries` entries and, when given `bytesOf`, at most `maxBytes` bytes.
 * Setting a key makes it the newest; the oldest go first when a bound is passed. An isolate lives
 * for hours and sees any path a client makes up, so nothing it keeps may grow without a bound.
 */
export class BoundedMap<K, V> {
  private readonly map = new Map<K, V>();
  private bytes = 0;

  constructor(
    private readonly maxEntries: number,
    private readonly maxBytes = Number.POSITIVE_INFINITY,
    private readonly bytesOf: (value: V) => number = () => 0,
  ) {}

  get size(): number {
    return this.map.size;
  }

  get(key: K): V | undefined {
    return this.map.get(key);
  }

  /** Stores `value` as the newest entry, then drops the oldest until both bounds hold. */
  set(key: K, value: V): void {
    this.delete(key);
    this.map.set(key, value);
    this.bytes += this.bytesOf(value);
    while (this.map.size > this.maxEntries || this.bytes > this.maxBytes) this.delete(this.map.keys().next().value as K);
  }

  /** The value under `key`, made by `make` and stored when missing. */
  getOrSet(key: K, make: () => V): V {
    let value = this.map.get(key);
    if (value === undefined && !this.map.has(key)) this.set(key, (value = make()));
    return value as V;
  }

  delete(key: K): boolean {
    if (!this.map.has(key)) return false;
    this.bytes -= this.bytesOf(this.map.get(key) as V);
    return this.map.delete(key);
  }
}
