/**
 * Serialized answers kept while their stamp holds. The model list is the hottest read and changes
 * rarely: building its views, encoding them through the response schema and stringifying ~10 KB
 * for every request cost most of its time. The caller's stamp must change with every write the
 * answer depends on; that, not this class, is what keeps the answers right.
 */
export class AnswerCache {
  private readonly entries = new Map<string, { stamp: string; body: string }>();

  /** Bounded because keys come from clients (a query string can take any max_vram). */
  constructor(private readonly maxEntries = 64) {}

  /** The answer for `key` as it was serialized under `stamp`, or `build`'s, kept for the next caller. */
  get(key: string, stamp: string, build: () => string): string {
    const hit = this.entries.get(key);
    if (hit?.stamp === stamp) return hit.body;
    const body = build();
    this.entries.delete(key);
    this.entries.set(key, { stamp, body });
    if (this.entries.size > this.maxEntries) this.entries.delete(this.entries.keys().next().value as string);
    return body;
  }
}
