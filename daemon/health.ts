import type { OllamaGateway } from './ollama/gateway.js';
import { AppError } from './errors.js';
import { outdatedSentence, RECOMMENDED_MIN_OLLAMA } from './ollama/requirements.js';
import type { Store } from './store/store.js';
import { API_VERSION, DAEMON_VERSION } from './version.js';

/** The daemon's own view of whether it can do its job: database readable, Ollama answering. */
export class Health {
  constructor(
    private readonly store: Store,
    private readonly gateway: OllamaGateway,
    /** What a client needs to size its work: the plugin keeps this many photos in flight. */
    private readonly evaluation: { concurrency: number; max_queue: number },
    /** Where this daemon keeps its data and writes its log, so `junmai logs` reads the right file whatever JUNMAI_DATA_DIR says. */
    private readonly files: { data_dir: string; log_file: () => string | null },
  ) {}

  async ollamaVersion(): Promise<string | null> {
    return this.gateway.version().catch(() => null);
  }

  async report() {
    let ollama: { reachable: boolean; url: string; version: string | null; error: string | null; outdated: boolean; update_notice: string | null; required_version: string };
    try {
      const version = await this.gateway.version();
      const notice = outdatedSentence(version);
      ollama = { reachable: true, url: this.gateway.url, version, error: null, outdated: notice !== null, update_notice: notice, required_version: RECOMMENDED_MIN_OLLAMA };
    } catch (err) {
      ollama = {
        reachable: false, url: this.gateway.url, version: null, error: err instanceof AppError ? err.message : 'Ollama did not answer.',
        outdated: false, update_notice: null, required_version: RECOMMENDED_MIN_OLLAMA,
      };
    }
    let dbOk = false;
    try {
      dbOk = this.store.ping();
    } catch {
      dbOk = false;
    }
    return {
      status: ollama.reachable && !ollama.outdated && dbOk ? ('ok' as const) : ('degraded' as const),
      daemon_version: DAEMON_VERSION,
      api_version: API_VERSION,
      ollama,
      evaluation: this.evaluation,
      files: { data_dir: this.files.data_dir, log_file: this.files.log_file() },
      database: { ok: dbOk, schema_version: dbOk ? this.store.schemaVersion() : 0, notice: this.store.notice ?? null },
    };
  }
}
