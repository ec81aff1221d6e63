/**
 * Turns Ollama's per-layer pull lines into one overall figure. Ollama reports each layer (digest)
 * separately and may announce layers late, so the sum of totals can grow mid-pull; the overall
 * total is therefore at least the size we expected, and the percentage never goes backwards.
 */
export class PullProgress {
  private readonly layers = new Map<string, { total: number; completed: number }>();
  private percentFloor = 0;
  /** Bytes Ollama already had from an earlier, interrupted pull (first sighting of each layer). */
  resumedBytes = 0;
  private speed = 0;
  private lastSample: { at: number; completed: number } | undefined;

  constructor(private readonly expectedTotal: number | null) {}

  update(digest: string | undefined, total: number | undefined, completed: number | undefined, at: number): void {
    if (!digest || !total) return;
    const prev = this.layers.get(digest);
    const done = Math.min(completed ?? 0, total);
    if (!prev) this.resumedBytes += done;
    this.layers.set(digest, { total, completed: Math.max(prev?.completed ?? 0, done) });
    this.sample(at);
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
