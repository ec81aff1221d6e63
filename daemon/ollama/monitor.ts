import type { EventBus } from '../events/bus.js';
import type { OllamaGateway } from './gateway.js';

export interface OllamaStatus {
  reachable: boolean;
  url: string;
  version: string | null;
}

/**
 * Watches whether Ollama answers, so clients learn of it starting or stopping through an
 * `ollama.status` event instead of each polling /api/health.
 */
export class OllamaMonitor {
  private current: OllamaStatus;
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly gateway: OllamaGateway, private readonly events: EventBus, private readonly intervalMs = 15_000) {
    this.current = { reachable: false, url: gateway.url, version: null };
  }

  get status(): OllamaStatus {
    return this.current;
  }

  async check(): Promise<OllamaStatus> {
    const version = await this.gateway.version().catch(() => null);
    const next = { reachable: version !== null, url: this.gateway.url, version };
    if (next.reachable !== this.current.reachable || next.version !== this.current.version) {
      this.current = next;
      this.events.publish('ollama.status', { ...next });
    }
    return this.current;
  }

  start(): void {
    void this.check();
    this.timer = setInterval(() => void this.check(), this.intervalMs);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
  }
}
