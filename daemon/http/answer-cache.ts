/**
 * Serialized answers kept while their stamp holds, as the bytes sent. The model list is the hottest
 * read and changes rarely: building its views, encoding them through the response schema and
 * stringifying ~10 KB for every request cost most of its time, and sending the text cost half of
 * the rest (its UTF-8 length for Content-Length, then its encoding into the socket). The caller's
 * stamp must change with every write the answer depends on; that, not this class, is what keeps the answers right.
 */
export class AnswerCache {
  private readonly entries = new Map<string, { stamp: string; body: Buffer }>();

  /** Bounded because keys come from clients (a query string can take any max_vram). */
  constructor(private readonly maxEntries = 64) {}

  /** The answer for `key` as it was serialized under `stamp`, or `build`'s in UTF-8, kept for the next caller. */
  get(key: string, stamp: string, build: () => string): Buffer {
    const hit = this.entries.get(key);
    if (hit?.stamp === stamp) return hit.body;
    const body = Buffer.from(build());
    this.entries.delete(key);
    this.entries.set(key, { stamp, body });
    if (this.entries.size > this.maxEntries) this.entries.delete(this.entries.keys().next().value as string);
    return body;
  }
}
