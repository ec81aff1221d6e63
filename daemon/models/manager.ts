import { CATALOG } from '../catalog/catalog.js';
import type { Clock } from '../clock.js';
import { AppError } from '../errors.js';
import type { EventBus } from '../events/bus.js';
import { UsageCoalescer } from '../events/usage-coalescer.js';
import type { HardwareInfo, HardwareProbe } from '../hardware/probe.js';
import type { OllamaGateway } from '../ollama/gateway.js';
import { pullSpelling } from '../ollama/names.js';
import type { CompatibilityRequest, ExportDocument, ListQuery, ModelView, RecommendRequest, UsageRecord } from '../schemas/api.js';
import type { Store } from '../store/store.js';
import type { UsageDay, UsageTotals } from '../store/usage-repo.js';
import { cloudRefusal } from './cloud.js';
import { availableMemory, estimateFor, estimateToGb, fitMessage, fitOf, type Available } from './fit.js';
import { rank, type Contender } from './recommend.js';
import { SerialQueue } from './serial.js';
import { resolveModelName, type ResolvedName } from './resolve.js';
import { statsFor, type ModelStats } from './statistics.js';
import { syncWithOllama, type SyncResult } from './sync.js';
import { applyImport, buildExport, CURRENT_KEY, parseImportDocument, type ImportResult } from './transfer.js';
import { architectureOf, blindSentence, capabilitiesOf, effectiveContext, isRemote, knownBlind, sizeOf, toView, type KnownModel } from './views.js';

const LOADED_CHECK_MS = 2000;

function sameModel(ollamaName: string, ours: string): boolean {
  try {
    return resolveModelName(ollamaName).name === ours;
  } catch {
    return false;
  }
}

/** How far ahead of the daemon's clock a usage record's `at` may be. */
const FUTURE_SLACK_MS = 24 * 3_600_000;

/** How far back a client_ms report looks for the daemon's row of the same photo. */
const CLIENT_MS_WINDOW_MS = 3_600_000;
const DAY_MS = 86_400_000;

export interface ManagerDeps {
  store: Store;
  gateway: OllamaGateway;
  hardware: HardwareProbe;
  clock: Clock;
  events: EventBus;
  /** Whether a download of this model is under way; deleting it then would fight the download. */
  isDownloading: (model: string) => boolean;
  /** The context every evaluation asks Ollama for (JUNMAI_NUM_CTX): what estimates and recommendations assume unless asked otherwise. */
  contextLength: number;
  /** JUNMAI_ALLOW_CLOUD_MODELS: whether a model that runs on ollama.com may become the current one. */
  allowCloudModels: boolean;
  /** The model's agreement with the photographer's stars in their newest comparison, for recommend. */
  agreement?: (model: string) => { spearman: number; photos: number } | undefined;
}

/**
 * The model manager: what the catalog offers, what Ollama has, which model is current, how each
 * performs, and what fits this computer. Routes, the CLI's daemon and the plugin all go through it.
 */
export class ModelManager {
  private readonly usageEvents: UsageCoalescer;
  /**
   * The one ordering rule for state changes: switch, delete, download start, import and sync run
   * one after another, never interleaved. Without it a delete could pass its "not the current
   * model" check while a switch to the same model was still asking Ollama, and delete the model
   * the switch then made current. Inside a change, the private *Now methods run without queueing.
   */
  private readonly changes = new SerialQueue();
  /** Whether Ollama answered at the last sync or status check; null until either has happened. */
  private ollamaReachable: boolean | null = null;
  /** The memory the last successful hardware probe found (availableHere), and that probe's answer. */
  private here: Available | undefined;
  private hereFrom: HardwareInfo | undefined;
  /** The memory figures as the list's stamp spells them, for the last `here` stamped. */
  private stamped: { here: Available | undefined; text: string } = { here: undefined, text: '-' };

  constructor(private readonly deps: ManagerDeps) {
    this.usageEvents = new UsageCoalescer(deps.events);
    deps.events.subscribe((e) => {
      if (e.type === 'ollama.status') this.ollamaReachable = e.data.reachable === true;
    });
  }

  private get store() {
    return this.deps.store;
  }

  currentModel(): string | null {
    return this.store.settings.get<string>(CURRENT_KEY) ?? null;
  }

  /** Catalog entries first in catalog order, then custom models by name. */
  private known(): KnownModel[] {
    const rows = new Map(this.store.models.all().map((r) => [r.name, r]));
    const out: KnownModel[] = CATALOG.map((entry) => ({ name: entry.name, entry, row: rows.get(entry.name) }));
    for (const row of rows.values()) {
      if (!CATALOG.some((e) => e.name === row.name) && row.source === 'custom') out.push({ name: row.name, entry: undefined, row });
    }
    return out;
  }

  private statsOf(name: string, row = this.store.models.get(name)): ModelStats {
    return statsFor(name, this.store.usage.totalsFor(name), this.store.usage, row);
  }

  /** A model as listed: its figures without percentiles, which the list does not show. */
  private view(m: KnownModel, current: string | null, totals: UsageTotals | undefined, here?: Available): ModelView {
    const size = sizeOf(m);
    const fit = here && size !== null ? fitOf(estimateFor({ size_bytes: size, architecture: architectureOf(m) }, this.estimateOptions(m, {})), here) : null;
    return toView(m, current, statsFor(m.name, totals, this.store.usage, m.row, false), this.deps.contextLength, fit);
  }

  /**
   * The memory availableHere() last found, at once (undefined until a probe has succeeded). While the
   * probe's answer is fresh that is all; otherwise the probe is asked again behind it, as availableHere does.
   */
  knownHere(): Available | undefined {
    const hw = this.deps.hardware.fresh?.();
    if (hw) return this.remember(hw);
    void this.availableHere();
    return this.here;
  }

  /**
   * What this computer can give a model, for the list's fit column; undefined until a probe has
   * succeeded (fit is then null). Once known, the last answer is given at once and the probe asked
   * again behind it: when the probe's cache has expired it spawns nvidia-smi, lspci or PowerShell
   * for up to seconds, which the hottest read must not wait for.
   */
  availableHere(): Promise<Available | undefined> {
    const probed = this.deps.hardware.probe().then((hw) => this.remember(hw), () => this.here);
    return this.here ? Promise.resolve(this.here) : probed;
  }

  /** The probe answers with the same object until it probes again: worked out once per probe, not per request. */
  private remember(hw: HardwareInfo): Available {
    if (hw !== this.hereFrom) [this.here, this.hereFrom] = [availableMemory(hw, undefined), hw];
    return this.here as Available;
  }

  /** Resolves a client's name to a model we know, or answers MODEL_NOT_FOUND. */
  private lookup(input: unknown): ResolvedName & { known: KnownModel } {
    const r = resolveModelName(input);
    const row = this.store.models.get(r.name);
    if (!r.entry && !row) {
      // `gemma3` means `gemma3:latest`, which the catalog does not carry; its tags are what the person was after.
      const base = r.name.slice(0, r.name.lastIndexOf(':'));
      const tags = CATALOG.filter((e) => e.name.startsWith(`${base}:`)).map((e) => e.name);
      const hint = tags.length ? `Junmai's catalog has ${tags.join(', ')}.` : 'See the list of models for the names you can use.';
      throw new AppError('MODEL_NOT_FOUND', `"${r.name}" is neither in Junmai's catalog nor installed in Ollama. ${hint}`, { model: r.name, ...(tags.length ? { suggestions: tags } : {}) });
    }
    return { ...r, known: { name: r.name, entry: r.entry, row } };
  }

  /**
   * How far the installed flags of the list can be trusted: when Ollama last answered a sync, and a
   * sentence saying so when it is not answering now (the flags are then that sync's).
   */
  freshness(): { ollama_reachable: boolean | null; installed_as_of: string | null; note?: string } {
    let asOf: string | null = null;
    for (const row of this.store.models.all()) if (row.synced_at !== null && (asOf === null || row.synced_at > asOf)) asOf = row.synced_at;
    if (this.ollamaReachable !== false) return { ollama_reachable: this.ollamaReachable, installed_as_of: asOf };
    return {
      ollama_reachable: false,
      installed_as_of: asOf,
      note: asOf
        ? `Ollama is not answering, so which models are installed is as of the last sync with it, at ${asOf}.`
        : 'Ollama is not answering and has never been synced with, so no model is known to be installed.',
    };
  }

  /**
   * Changes whenever the list's answer for `here` may: any row written to the store (models,
   * the current model, usage totals, imports), Ollama answering or not, the memory found here.
   * The catalog and the settings read at start (context length, cloud models) last the whole run.
   */
  listStamp(here?: Available): string {
    if (here !== this.stamped.here) this.stamped = { here, text: here ? `${here.gpu_memory_gb}/${here.offload_memory_gb}/${here.memory_source}/${here.from}` : '-' };
    return `${this.store.writeStamp()}|${this.ollamaReachable}|${this.stamped.text}`;
  }

  list(q: ListQuery = {}, here?: Available): ModelView[] {
    const current = this.currentModel();
    // One query for every model's totals instead of one per model: the list is the hottest read.
    const totals = new Map(this.store.usage.totals().map((t) => [t.model, t]));
    return this.known()
      .map((m) => this.view(m, current, totals.get(m.name), here))
      .filter(
        (v) =>
          (q.purpose === undefined || v.purpose === q.purpose) &&
          (q.max_vram === undefined || (v.min_vram_gb !== null && v.min_vram_gb <= q.max_vram)) &&
          (!q.installed_only || v.installed) &&
          (q.capability === undefined || v.capabilities.includes(q.capability)),
      );
  }

  info(name: unknown, here?: Available): { model: ModelView; alias?: string; note?: string } {
    const r = this.lookup(name);
    return { model: this.view(r.known, this.currentModel(), this.store.usage.totalsFor(r.name), here), ...(r.alias ? { alias: r.alias } : {}), ...(r.note ? { note: r.note } : {}) };
  }

  current(): { current_model: string | null; model: ModelView | null } {
    const name = this.currentModel();
    if (!name) return { current_model: null, model: null };
    const r = resolveModelName(name);
    return { current_model: name, model: this.view({ name, entry: r.entry, row: this.store.models.get(name) }, name, this.store.usage.totalsFor(name)) };
  }

  /**
   * Whether Ollama has the model in memory right now, or null when it does not answer within
   * LOADED_CHECK_MS: a hung Ollama must not hold up a status display.
   */
  async isLoaded(name: string): Promise<boolean | null> {
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<null>((resolve) => (timer = setTimeout(() => resolve(null), LOADED_CHECK_MS)));
    const asked = this.deps.gateway
      .ps()
      .then((loaded) => loaded.some((m) => sameModel(m.name, name)))
      .catch(() => null);
    try {
      return await Promise.race([asked, late]);
    } finally {
      clearTimeout(timer);
    }
  }

  /**
   * Asks Ollama whether the model is really there, so a model deleted behind our back is refused
   * now rather than failing on the first photo. With Ollama down, the store's last word stands.
   */
  private async stillInstalled(name: string): Promise<boolean> {
    try {
      await this.deps.gateway.show(name);
      if (!this.store.models.get(name)?.installed) await this.syncNow();
      return true;
    } catch (err) {
      if (err instanceof AppError && err.code === 'MODEL_NOT_INSTALLED') {
        if (this.store.models.get(name)) this.store.models.setInstalled(name, false);
        return false;
      }
      return this.store.models.get(name)?.installed ?? false;
    }
  }

  /** Runs a state change (a download start, say) in its turn among switches, deletes, imports and syncs. */
  exclusive<T>(task: () => Promise<T> | T): Promise<T> {
    return this.changes.run(task);
  }

  switch(input: unknown): Promise<{ message: string; current_model: string; previous_model: string | null; note?: string; warning?: string }> {
    return this.changes.run(() => this.switchNow(input));
  }

  private async switchNow(input: unknown): Promise<{ message: string; current_model: string; previous_model: string | null; note?: string; warning?: string }> {
    const r = this.lookup(input);
    const remote = isRemote(r.known);
    if (remote && !this.deps.allowCloudModels) throw cloudRefusal(r.name, 'making it the model for photos');
    if (!(await this.stillInstalled(r.name))) {
      throw new AppError('MODEL_NOT_INSTALLED', `${r.known.entry?.display_name ?? r.name} is not downloaded yet. Download it first, then switch to it.`, { model: r.name });
    }
    const previous = this.currentModel();
    this.store.settings.set(CURRENT_KEY, r.name, this.deps.clock.now());
    this.deps.events.publish('model.switched', { model: r.name, previous_model: previous });
    return {
      message: `Switched to ${r.name}.`,
      current_model: r.name,
      previous_model: previous,
      ...(r.note ? { note: r.note } : {}),
      ...(knownBlind({ ...r.known, row: this.store.models.get(r.name) })
        ? { warning: blindSentence(r.name) }
        : remote ? { warning: `${r.name} runs on ollama.com: every photo you evaluate with it leaves this computer.` } : {}),
    };
  }

  delete(input: unknown): Promise<{ message: string; model: string }> {
    return this.changes.run(() => this.deleteNow(input));
  }

  private async deleteNow(input: unknown): Promise<{ message: string; model: string }> {
    const name = resolveModelName(input).name;
    if (this.deps.isDownloading(name)) {
      throw new AppError('MODEL_DOWNLOADING', `${name} is being downloaded. Cancel the download before deleting it.`, { model: name });
    }
    const r = this.lookup(input);
    if (this.currentModel() === r.name) {
      throw new AppError('MODEL_IN_USE', `${r.name} is the current model. Switch to another model before deleting it.`, { model: r.name });
    }
    try {
      await this.deps.gateway.delete(r.name);
    } catch (err) {
      if (err instanceof AppError && err.code === 'MODEL_NOT_INSTALLED') {
        if (r.known.row) this.store.models.setInstalled(r.name, false);
        throw new AppError('MODEL_NOT_INSTALLED', `${r.name} is not installed in Ollama, so there is nothing to delete.`, { model: r.name });
      }
      throw err;
    }
    // Ollama has deleted it; a failed sync must not leave the store saying otherwise.
    await this.syncNow().catch(() => undefined);
    this.store.models.setInstalled(r.name, false);
    this.deps.events.publish('model.deleted', { model: r.name });
    return { message: `Deleted ${r.name} from Ollama.`, model: r.name };
  }

  /**
   * What a download needs to know about a name. Any valid Ollama name may be pulled (Ollama's
   * library is larger than our catalog); Ollama itself answers for names it does not have.
   */
  downloadTarget(input: unknown): { name: string; pull_name: string; expected_bytes: number | null; note?: string } {
    const r = resolveModelName(input);
    // A legacy alias is pulled as its target; any other name as the photographer spelled it.
    const pull_name = r.alias ? r.name : pullSpelling(input);
    return { name: r.name, pull_name, expected_bytes: r.entry?.size_bytes ?? null, ...(r.note ? { note: r.note } : {}) };
  }

  /** True when Ollama lists the model after a sync: the only proof a download really installed it. */
  async confirmInstalled(name: string): Promise<boolean> {
    await this.sync();
    return this.store.models.get(name)?.installed ?? false;
  }

  sync(): Promise<SyncResult> {
    return this.changes.run(() => this.syncNow());
  }

  private async syncNow(): Promise<SyncResult> {
    let result: SyncResult;
    try {
      result = await syncWithOllama(this.store, this.deps.gateway, this.deps.clock);
    } catch (err) {
      if (err instanceof AppError && (err.code === 'OLLAMA_UNREACHABLE' || err.code === 'OLLAMA_TIMEOUT')) this.ollamaReachable = false;
      throw err;
    }
    this.ollamaReachable = true;
    for (const name of result.added) this.deps.events.publish('model.installed', { model: name });
    return result;
  }

  async checkCompatibility(req: CompatibilityRequest) {
    const r = this.lookup(req.model);
    if (isRemote(r.known)) {
      throw new AppError('INVALID_REQUEST', `${r.name} runs on ollama.com, not on this computer, so it needs none of this computer's memory.`, { model: r.name });
    }
    const size = sizeOf(r.known);
    if (size === null) throw new AppError('MODEL_NOT_FOUND', `Junmai does not know the size of ${r.name}; sync with Ollama and try again.`, { model: r.name });
    const available = availableMemory(await this.deps.hardware.probe(), req.available_vram_gb);
    const est = estimateFor({ size_bytes: size, architecture: architectureOf(r.known) }, this.estimateOptions(r.known, req));
    const estimate = estimateToGb(est);
    const fit = fitOf(est, available);
    return { model: r.name, compatible: fit !== 'does_not_fit', fit, message: fitMessage(r.name, fit, estimate, available), estimate, available };
  }

  async recommend(req: RecommendRequest) {
    const available = availableMemory(await this.deps.hardware.probe(), req.available_vram_gb);
    const contenders: Contender[] = [];
    for (const m of this.known()) {
      const caps = capabilitiesOf(m);
      const size = sizeOf(m);
      if (size === null || (req.capability !== 'any' && !caps.includes(req.capability))) continue;
      if (!m.entry && !m.row?.installed) continue;
      // The product's promise is "no cloud": a model on ollama.com is never proposed.
      if (isRemote(m)) continue;
      const est = estimateFor({ size_bytes: size, architecture: architectureOf(m) }, this.estimateOptions(m, req));
      const s = this.statsOf(m.name, m.row);
      contenders.push({
        model: m.name,
        display_name: m.entry?.display_name ?? m.name,
        purpose: m.entry?.purpose ?? null,
        parameter_count: m.entry?.parameter_count ?? null,
        installed: m.row?.installed ?? false,
        fit: fitOf(est, available),
        estimate: estimateToGb(est),
        gpu_memory_gb: available.gpu_memory_gb,
        history: { count: s.successes + s.failures, success_rate: s.success_rate, p50_ms: s.p50_ms },
        agreement: this.deps.agreement?.(m.name),
      });
    }
    const ranked = rank(contenders, req.priority).map(({ gpu_memory_gb: _g, history: _h, purpose: _p, parameter_count: _c, agreement: _a, ...c }) => c);
    const best = ranked[0] ?? null;
    const what = req.capability === 'any' ? 'model' : `${req.capability} model`;
    const message = best
      ? `${best.display_name} (${best.model}) is the best ${what} for ${req.priority} on ${available.gpu_memory_gb} GB${best.installed ? '' : '; it needs a download first'}.`
      : `No ${what} in the catalog can run with ${available.gpu_memory_gb} GB of GPU memory and ${available.offload_memory_gb} GB of system memory.`;
    return {
      recommended_model: best?.model ?? null,
      priority: req.priority,
      capability: req.capability,
      available_vram_gb: available.gpu_memory_gb,
      available,
      download_needed: best ? !best.installed : false,
      message,
      reasons: best?.reasons ?? [],
      recommendation: best,
      alternatives: ranked.slice(1, 4),
    };
  }

  /** The request's context and slots, or the context every evaluation asks for; capped as Ollama caps it. */
  private estimateOptions(m: KnownModel, req: { context_length?: number | undefined; num_parallel?: number | undefined }) {
    return { context_length: effectiveContext(m, req.context_length ?? this.deps.contextLength), num_parallel: req.num_parallel };
  }

  statistics(model?: string): { statistics: Record<string, ModelStats>; total_usage: number } {
    const rows = new Map(this.store.models.all().map((r) => [r.name, r]));
    if (model !== undefined) {
      const name = resolveModelName(model).name;
      const s = this.statsOf(name, rows.get(name));
      if (s.count === 0 && !s.imported && !rows.has(name) && !resolveModelName(model).entry) {
        throw new AppError('MODEL_NOT_FOUND', `There are no statistics for "${name}": it is unknown and has never been used.`, { model: name });
      }
      return { statistics: { [name]: s }, total_usage: s.count };
    }
    const statistics: Record<string, ModelStats> = {};
    let total = 0;
    for (const t of this.store.usage.totals()) {
      statistics[t.model] = statsFor(t.model, t, this.store.usage, rows.get(t.model));
      total += t.count;
    }
    for (const row of rows.values()) {
      if (!statistics[row.name] && row.imported_usage_count !== null) statistics[row.name] = this.statsOf(row.name, row);
    }
    return { statistics, total_usage: total };
  }

  /** A model's photos per UTC day over the last `days` days (today included), for charts. */
  dailyStatistics(model: string, days: number): { model: string; days: UsageDay[] } {
    const name = resolveModelName(model).name;
    const today = Math.floor(this.deps.clock.now().getTime() / DAY_MS) * DAY_MS;
    return { model: name, days: this.store.usage.daily(name, today - (days - 1) * DAY_MS) };
  }

  /**
   * Stores every record or none: names are all checked before the first INSERT. A record with
   * client_ms and photo_id completes the daemon's own row for that photo (same model, last hour,
   * no client_ms yet) rather than adding a second row for the same photo.
   */
  recordUsage(records: UsageRecord[]): number {
    const nowMs = this.deps.clock.now().getTime();
    // A clock a little ahead is normal; a date in the future would become every model's "last used" for good.
    const future = records.findIndex((r) => r.at !== undefined && Date.parse(r.at) > nowMs + FUTURE_SLACK_MS);
    if (future >= 0) {
      throw new AppError('INVALID_REQUEST', `Record ${future + 1} says it happened at ${records[future]?.at}, in the future. Nothing was recorded; check the computer's clock.`);
    }
    // A batch names a few models many times over; each spelling is resolved once (an invalid one still throws at its first record).
    const names = new Map<string, string>();
    const canonical = (model: string) => {
      let name = names.get(model);
      if (name === undefined) names.set(model, (name = resolveModelName(model).name));
      return name;
    };
    const rows = records.map((r) => ({
      ts: r.at ? Date.parse(r.at) : nowMs,
      model: canonical(r.model),
      photo_id: r.photo_id ?? null,
      duration_ms: r.duration_ms,
      total_ms: r.total_ms ?? null,
      load_ms: r.load_ms ?? null,
      prompt_eval_ms: r.prompt_eval_ms ?? null,
      eval_ms: r.eval_ms ?? null,
      prompt_tokens: r.prompt_tokens ?? null,
      eval_tokens: r.eval_tokens ?? null,
      success: r.success,
      error_code: r.error_code ?? null,
      client_ms: r.client_ms ?? null,
    }));
    this.store.usage.record(rows, nowMs - CLIENT_MS_WINDOW_MS);
    this.usageEvents.add([...new Set(names.values())], rows.length);
    return rows.length;
  }

  exportDocument(): ExportDocument {
    return buildExport(this.store, new Map(Object.entries(this.statistics().statistics)), this.deps.clock.now());
  }

  importDocument(body: Record<string, unknown>): Promise<ImportResult> {
    const doc = parseImportDocument(body);
    return this.changes.run(() => applyImport(this.store, doc, this.deps.clock.now()));
  }
}
