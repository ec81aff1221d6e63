import type { Fault, FaultRoute } from './types.js';

/** One armed fault per route; a route's own fault wins over the catch-all '*'. */
export class FaultBook {
  private readonly armed = new Map<FaultRoute, { fault: Fault; remaining: number }>();

  set(route: FaultRoute, fault: Fault): void {
    this.armed.set(route, { fault, remaining: fault.times ?? Infinity });
  }

  clear(): void {
    this.armed.clear();
  }

  /** The fault for this request, if any, counting it against `times`. */
  take(route: FaultRoute): Fault | undefined {
    for (const key of [route, '*'] as const) {
      const slot = this.armed.get(key);
      if (!slot) continue;
      slot.remaining -= 1;
      if (slot.remaining <= 0) this.armed.delete(key);
      return slot.fault;
    }
    return undefined;
  }
}
