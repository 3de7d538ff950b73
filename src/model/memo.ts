/**
 * A one-argument function computed once per argument object, for as long as that object lives (a
 * `WeakMap`, so nothing outlives its input). Meant for inputs that do not change once built: the IAM
 * catalog, a parsed statement, one role's analysis in a run.
 *
 * @example
 * const scopableActions = memoizeByObject((catalog: ActionCatalog) => catalog.actionsOf('s3').filter((a) => a.scopable));
 * scopableActions(defaultCatalog()) === scopableActions(defaultCatalog()); // true
 */
export function memoizeByObject<K extends object, V>(compute: (key: K) => V): (key: K) => V {
  const results = new WeakMap<K, V>();
  return (key) => {
    if (results.has(key)) return results.get(key) as V;
    const value = compute(key);
    results.set(key, value);
    return value;
  };
}

/**
 * A memo that forgets everything once it holds `limit` entries: answers asked again and again stay
 * cheap, and hostile input with endless distinct questions cannot make it grow without bound. Owned by
 * the object whose answers it keeps, never shared at module level.
 *
 * @example
 * const known = new BoundedCache<string, boolean>(50_000);
 * known.getOrCreate('s3:get*', () => true);
 */
export class BoundedCache<K, V> {
  private readonly entries = new Map<K, V>();

  constructor(private readonly limit: number) {}

  get size(): number {
    return this.entries.size;
  }

  /** The kept answer for `key` (undefined when none is kept). */
  get(key: K): V | undefined {
    return this.entries.get(key);
  }

  /** Keeps an answer, first forgetting every other one when the limit is reached. */
  set(key: K, value: V): void {
    if (this.entries.size >= this.limit && !this.entries.has(key)) this.entries.clear();
    this.entries.set(key, value);
  }

  /** The kept answer for `key`, or the one `create` makes (then kept). */
  getOrCreate(key: K, create: () => V): V {
    if (this.entries.has(key)) return this.entries.get(key) as V;
    const value = create();
    this.set(key, value);
    return value;
  }
}
