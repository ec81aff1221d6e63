/** Ratio of a bucket's upper bound to its lower one: what bounds a percentile's error to 1%. */
const BUCKET_GROWTH = 1.01;
const LN_GROWTH = Math.log(BUCKET_GROWTH);
/** Zero durations sort below every positive one (1.01^-100000 is far below the smallest double). */
const ZERO_BUCKET = -100_000;

interface Bucket {
  n: number;
  min: number;
  max: number;
}

/** A bucket as saved: its index, count, smallest and largest value. */
export type SavedBucket = [key: number, n: number, min: number, max: number];

/**
 * Durations in log-spaced buckets: bucket b holds [1.01^b, 1.01^(b+1)), with its count and its
 * exact smallest and largest value. A nearest-rank percentile read from it is the bucket's
 * smallest or largest value when the rank is its first or last (exact whenever the bucket holds
 * one distinct value), and between the two otherwise; the exact value lies between them too, so
 * the answer is within 1% of it. The size depends on the spread of the durations, not their number.
 */
export class DurationHistogram {
  private readonly buckets = new Map<number, Bucket>();
  private sorted: number[] | undefined;

  /** As saved by toJSON. */
  static from(saved: readonly SavedBucket[]): DurationHistogram {
    const h = new DurationHistogram();
    for (const [key, n, min, max] of saved) h.buckets.set(key, { n, min, max });
    return h;
  }

  toJSON(): SavedBucket[] {
    return [...this.buckets].map(([key, b]) => [key, b.n, b.min, b.max]);
  }

  add(ms: number): void {
    const key = ms > 0 ? Math.floor(Math.log(ms) / LN_GROWTH) : ZERO_BUCKET;
    const b = this.buckets.get(key);
    if (b) {
      b.n++;
      if (ms < b.min) b.min = ms;
      if (ms > b.max) b.max = ms;
      return;
    }
    this.buckets.set(key, { n: 1, min: ms, max: ms });
    this.sorted = undefined;
  }

  /** Nearest-rank percentiles (`ps` ascending) of the `n` durations added; null past the end. */
  percentiles(n: number, ps: readonly number[]): (number | null)[] {
    const out: (number | null)[] = ps.map(() => null);
    if (n <= 0) return out;
    this.sorted ??= [...this.buckets.keys()].sort((a, b) => a - b);
    const ranks = ps.map((p) => Math.max(1, Math.ceil((p / 100) * n)));
    let next = 0;
    let seen = 0;
    for (const key of this.sorted) {
      const { n: count, min, max } = this.buckets.get(key) as Bucket;
      while (next < ranks.length && (ranks[next] as number) <= seen + count) {
        const k = (ranks[next] as number) - seen;
        out[next++] = k === 1 ? min : k === count ? max : min + ((max - min) * (k - 1)) / (count - 1);
      }
      seen += count;
      if (next === ranks.length) break;
    }
    return out;
  }
}

/**
 * The ids of the photo rows a later client_ms report may complete, by model and photo, among those
 * within `keep` of the newest id added: a hint kept in memory, so that finding one costs no index on the table.
 * Entries are not removed when their row is completed (the UPDATE checks that), only when they
 * fall out of range.
 */
export class RecentPhotos {
  /**
   * By model, then photo: one id, or several when a photo ran the same model more than once. Two
   * lookups rather than one on a joined key, as joining allocated a string for every row ingested.
   */
  private readonly byModel = new Map<string, Map<string, number | number[]>>();
  private size = 0;
  /**
   * Entries added since the last lookup, as model, photo, id, model, …: filed in the maps only when
   * a lookup comes. Bulk ingest, which looks nothing up, then pays three array slots a row instead of
   * a map entry keyed by a fresh string, and rows that fall out of range before a lookup are never filed.
   */
  private pending: (string | number)[] = [];
  private newest = 0;

  constructor(private readonly keep: number) {}

  /** Ids come in ascending order. */
  add(model: string, photoId: string, id: number): void {
    this.pending.push(model, photoId, id);
    this.newest = id;
    // Out-of-range entries are dropped from the front once the queue holds twice the range: amortised O(1) an entry.
    if (this.pending.length > 6 * this.keep) this.pending = this.pending.slice(this.firstInRange(this.pending));
  }

  /** This photo's ids above the newest id added minus `keep`, oldest first. */
  ids(model: string, photoId: string): readonly number[] {
    this.file();
    const had = this.byModel.get(model)?.get(photoId);
    const floor = this.newest - this.keep;
    if (had === undefined) return [];
    if (typeof had === 'number') return had > floor ? [had] : [];
    return had.filter((id) => id > floor);
  }

  /** How many entries memory holds, queued or filed: at most twice the range, plus a quarter of it filed. */
  held(): number {
    return this.pending.length / 3 + this.size;
  }

  /** Where the entries above the range's floor start in a queue of model, photo, id triples. */
  private firstInRange(queue: readonly (string | number)[]): number {
    const floor = this.newest - this.keep;
    let i = 0;
    // A queue's last entry is the newest, always in range: the walk stops there at the latest (or at once when empty).
    while ((queue[i + 2] as number) <= floor) i += 3;
    return i;
  }

  private file(): void {
    const queue = this.pending;
    this.pending = [];
    for (let i = this.firstInRange(queue); i < queue.length; i += 3) {
      const model = queue[i] as string;
      const photoId = queue[i + 1] as string;
      const id = queue[i + 2] as number;
      let photos = this.byModel.get(model);
      if (!photos) this.byModel.set(model, (photos = new Map()));
      const had = photos.get(photoId);
      photos.set(photoId, had === undefined ? id : typeof had === 'number' ? [had, id] : [...had, id]);
      // Pruned in one pass once a quarter more than the range is held: amortised, an entry costs O(1).
      if (++this.size > this.keep + this.keep / 4) this.prune(id - this.keep);
    }
  }

  private prune(belowOrAt: number): void {
    this.size = 0;
    // A model's map stays when emptied: there are a handful of models, and they come back.
    for (const photos of this.byModel.values()) {
      for (const [photoId, had] of photos) {
        // Most photos hold one id: kept or dropped without building an array for it.
        if (typeof had === 'number') {
          if (had > belowOrAt) this.size++;
          else photos.delete(photoId);
          continue;
        }
        const kept = had.filter((id) => id > belowOrAt);
        if (kept.length === 0) photos.delete(photoId);
        else photos.set(photoId, kept.length === 1 ? (kept[0] as number) : kept);
        this.size += kept.length;
      }
    }
  }
}
