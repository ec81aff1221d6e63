interface Layer {
  total: number;
  /** The most this layer has reported. */
  completed: number;
  /** `completed` on the layer's first line. */
  first: number;
  /** `completed` on the layer's latest line. */
  last: number;
}

/**
 * Turns Ollama's per-layer pull lines into one overall figure. Ollama reports each layer (digest)
 * separately and may announce layers late, so the sum of totals can grow mid-pull; the overall
 * total is therefore at least the size we expected, and the percentage never goes backwards.
 *
 * A layer's first line tells where its bytes came from (server/download.go downloadBlob): a blob
 * already on disk is announced once with completed = total; a fetched one is reported on a 60 ms
 * ticker, starting from what an earlier, interrupted pull left in its part files.
 */
export class PullProgress {
  private readonly layers = new Map<string, Layer>();
  private percentFloor = 0;
  private speed = 0;
  private lastSample: { at: number; completed: number } | undefined;

  constructor(private readonly expectedTotal: number | null) {}

  /**
   * Records one line; true when bytes arrived since the layer's previous line. A part that fails
   * mid-transfer takes its bytes back from `completed` and fetches them again (download.go
   * downloadChunk), so bytes arriving below the layer's best figure are progress too.
   */
  update(digest: string | undefined, total: number | undefined, completed: number | undefined, at: number): boolean {
    if (!digest || !total) return false;
    const prev = this.layers.get(digest);
    const done = Math.min(completed ?? 0, total);
    this.layers.set(digest, { total, completed: Math.max(prev?.completed ?? 0, done), first: prev?.first ?? done, last: done });
    this.sample(at);
    return done > (prev?.last ?? 0);
  }

  /** Bytes of layers that were part-way on disk when this pull first saw them. */
  get partialBytes(): number {
    let sum = 0;
    for (const l of this.layers.values()) if (l.first < l.total) sum += l.first;
    return sum;
  }

  /** Bytes Ollama fetched (or finished fetching) in this pull and must hash before it writes the manifest. */
  get fetchedTotal(): number {
    let sum = 0;
    for (const l of this.layers.values()) if (l.first < l.total) sum += l.total;
    return sum;
  }

  /**
   * Bytes Ollama will hash. A layer fetched within one 60 ms tick leaves no line at all, so the
   * size we expected, less the layers seen on disk, counts when it is larger.
   */
  get bytesToHash(): number {
    let onDisk = 0;
    for (const l of this.layers.values()) if (l.first === l.total) onDisk += l.total;
    return Math.max(this.fetchedTotal, (this.expectedTotal ?? 0) - onDisk);
  }

  /** True when every layer seen was already on disk: nothing new arrived. */
  get allOnDisk(): boolean {
    return this.layers.size > 0 && this.fetchedTotal === 0;
  }

  get completed(): number {
    let sum = 0;
    for (const l of this.layers.values()) sum += l.completed;
    return sum;
  }

  get total(): number | null {
    let sum = 0;
    for (const l of this.layers.values()) sum += l.total;
    const best = Math.max(sum, this.expectedTotal ?? 0);
    return best > 0 ? best : null;
  }

  get percent(): number {
    const total = this.total;
    const p = total ? Math.min(100, (this.completed / total) * 100) : 0;
    this.percentFloor = Math.max(this.percentFloor, Number(p.toFixed(1)));
    return this.percentFloor;
  }

  /** Pinned at 100 once Ollama says success, whatever the layers summed to. */
  finish(): void {
    this.percentFloor = 100;
  }

  get bytesPerSecond(): number {
    return Math.round(this.speed);
  }

  get etaSeconds(): number | null {
    const total = this.total;
    if (!total || this.speed <= 0) return null;
    return Math.max(0, Math.round((total - this.completed) / this.speed));
  }

  /** Speed as an exponential average over samples at least 250 ms apart, so one burst does not swing the ETA. */
  private sample(at: number): void {
    const completed = this.completed;
    if (!this.lastSample) {
      this.lastSample = { at, completed };
      return;
    }
    const dt = (at - this.lastSample.at) / 1000;
    if (dt < 0.25) return;
    const instant = Math.max(0, completed - this.lastSample.completed) / dt;
    this.speed = this.speed === 0 ? instant : 0.7 * this.speed + 0.3 * instant;
    this.lastSample = { at, completed };
  }
}
