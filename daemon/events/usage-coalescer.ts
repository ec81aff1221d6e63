import type { EventBus } from './bus.js';

/**
 * One `usage.recorded` event per window however many records arrive: during an export the plugin
 * records a photo every second or so per slot, and clients only need to know the figures moved.
 */
export class UsageCoalescer {
  private count = 0;
  private readonly models = new Set<string>();
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly events: EventBus, private readonly windowMs = 500) {}

  add(models: string[], count: number): void {
    this.count += count;
    for (const m of models) this.models.add(m);
    if (this.timer) return;
    this.timer = setTimeout(() => this.flush(), this.windowMs);
    this.timer.unref();
  }

  flush(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    if (this.count === 0) return;
    this.events.publish('usage.recorded', { count: this.count, models: [...this.models].sort() });
    this.count = 0;
    this.models.clear();
  }
}
