/**
 * Schema steps, applied in order; step N leaves the database at user_version N. Never edit a step
 * that has shipped: add the next one.
 */
export const MIGRATIONS: readonly string[] = [
  `
  -- What Ollama told us about each model we know (catalog or custom), plus statistics carried over
  -- from the old system's metadata file, kept apart from measured usage so neither skews the other.
  CREATE TABLE models (
    name            TEXT PRIMARY KEY,
    source          TEXT NOT NULL CHECK (source IN ('catalog', 'custom')),
    installed       INTEGER NOT NULL DEFAULT 0 CHECK (installed IN (0, 1)),
    size_bytes      INTEGER,
    digest          TEXT,
    family          TEXT,
    parameter_size  TEXT,
    quantization    TEXT,
    capabilities    TEXT,
    context_length  INTEGER,
    architecture    TEXT,
    modified_at     TEXT,
    synced_at       TEXT,
    imported_usage_count   INTEGER,
    imported_avg_ms        REAL,
    imported_success_rate  REAL,
    imported_last_used     TEXT
  ) STRICT;

  CREATE TABLE settings (
    key         TEXT PRIMARY KEY,
    value       TEXT NOT NULL,
    updated_at  TEXT NOT NULL
  ) STRICT;

  -- One row per inference. Durations in milliseconds; ts in milliseconds since the epoch.
  CREATE TABLE usage (
    id              INTEGER PRIMARY KEY,
    ts              INTEGER NOT NULL,
    model           TEXT NOT NULL,
    photo_id        TEXT,
    duration_ms     REAL NOT NULL,
    total_ms        REAL,
    load_ms         REAL,
    prompt_eval_ms  REAL,
    eval_ms         REAL,
    prompt_tokens   INTEGER,
    eval_tokens     INTEGER,
    success         INTEGER NOT NULL CHECK (success IN (0, 1)),
    error_code      TEXT
  ) STRICT;

  -- Percentiles walk this index instead of sorting the table.
  CREATE INDEX usage_by_model_duration ON usage (model, success, duration_ms);

  -- Running sums kept by the trigger below, so that statistics over millions of rows read one row
  -- per model while recording a usage stays a single INSERT for its callers.
  CREATE TABLE usage_totals (
    model            TEXT PRIMARY KEY,
    count            INTEGER NOT NULL,
    successes        INTEGER NOT NULL,
    success_ms_sum   REAL NOT NULL,
    load_ms_sum      REAL NOT NULL,
    load_count       INTEGER NOT NULL,
    eval_tokens_sum  INTEGER NOT NULL,
    eval_ms_sum      REAL NOT NULL,
    first_ts         INTEGER NOT NULL,
    last_ts          INTEGER NOT NULL
  ) STRICT;

  CREATE TRIGGER usage_totals_on_insert AFTER INSERT ON usage BEGIN
    INSERT INTO usage_totals (model, count, successes, success_ms_sum, load_ms_sum, load_count,
                              eval_tokens_sum, eval_ms_sum, first_ts, last_ts)
    VALUES (NEW.model, 1, NEW.success,
            CASE WHEN NEW.success = 1 THEN NEW.duration_ms ELSE 0 END,
            coalesce(NEW.load_ms, 0), NEW.load_ms IS NOT NULL,
            CASE WHEN NEW.eval_tokens IS NOT NULL AND NEW.eval_ms > 0 THEN NEW.eval_tokens ELSE 0 END,
            CASE WHEN NEW.eval_tokens IS NOT NULL AND NEW.eval_ms > 0 THEN NEW.eval_ms ELSE 0 END,
            NEW.ts, NEW.ts)
    ON CONFLICT (model) DO UPDATE SET
      count = count + 1,
      successes = successes + excluded.successes,
      success_ms_sum = success_ms_sum + excluded.success_ms_sum,
      load_ms_sum = load_ms_sum + excluded.load_ms_sum,
      load_count = load_count + excluded.load_count,
      eval_tokens_sum = eval_tokens_sum + excluded.eval_tokens_sum,
      eval_ms_sum = eval_ms_sum + excluded.eval_ms_sum,
      first_ts = min(first_ts, excluded.first_ts),
      last_ts = max(last_ts, excluded.last_ts);
  END;

  CREATE TABLE download_jobs (
    id              TEXT PRIMARY KEY,
    model           TEXT NOT NULL,
    status          TEXT NOT NULL CHECK (status IN
                      ('queued', 'downloading', 'verifying', 'completed', 'failed', 'cancelled', 'interrupted')),
    completed_bytes INTEGER NOT NULL DEFAULT 0,
    total_bytes     INTEGER,
    resumed_bytes   INTEGER NOT NULL DEFAULT 0,
    error_code      TEXT,
    error_message   TEXT,
    created_at      TEXT NOT NULL,
    updated_at      TEXT NOT NULL,
    finished_at     TEXT
  ) STRICT;

  CREATE INDEX download_jobs_by_model ON download_jobs (model, status);
  `,
  `
  -- Photo evaluation (issue 6). A usage row is now either a photo ('inference') or a model load
  -- the daemon asked for ahead of the first photo ('warmup'); a warm-up is not a photo, so the
  -- photo figures below never count it. cache_hit marks a photo answered from evaluation_cache
  -- without calling the model: it counts as a photo but says nothing about the model's speed.
  -- client_ms is the plugin's own end-to-end time for the photo, filled in later; queue_ms is the
  -- time the photo waited for a free Ollama slot, kept out of duration_ms so that batch size does
  -- not make a model look slower.
  ALTER TABLE usage ADD COLUMN kind TEXT NOT NULL DEFAULT 'inference' CHECK (kind IN ('inference', 'warmup'));
  ALTER TABLE usage ADD COLUMN cache_hit INTEGER NOT NULL DEFAULT 0 CHECK (cache_hit IN (0, 1));
  ALTER TABLE usage ADD COLUMN client_ms REAL;
  ALTER TABLE usage ADD COLUMN queue_ms REAL;

  -- Percentiles walk only the rows they rank. A warm inference is one whose load took at most
  -- 1000 ms (or was not reported); above that it was a cold start.
  DROP INDEX usage_by_model_duration;
  CREATE INDEX usage_timed_successes ON usage (model, duration_ms)
    WHERE kind = 'inference' AND cache_hit = 0 AND success = 1;
  CREATE INDEX usage_warm_successes ON usage (model, duration_ms)
    WHERE kind = 'inference' AND cache_hit = 0 AND success = 1 AND (load_ms IS NULL OR load_ms <= 1000);
  -- Finds the row a later client_ms report belongs to.
  CREATE INDEX usage_by_photo ON usage (photo_id, model, ts) WHERE photo_id IS NOT NULL;

  -- The totals gain columns and change meaning (warm-ups and cache hits are kept apart), so they
  -- are rebuilt from the rows rather than patched: whatever the old trigger summed, the new table
  -- starts equal to what the new trigger would have summed.
  DROP TRIGGER usage_totals_on_insert;
  DROP TABLE usage_totals;
  CREATE TABLE usage_totals (
    model            TEXT PRIMARY KEY,
    count            INTEGER NOT NULL,  -- photos (kind 'inference'), cache hits included
    successes        INTEGER NOT NULL,
    cache_hits       INTEGER NOT NULL,
    timed_successes  INTEGER NOT NULL,  -- successful photos that ran the model: what durations describe
    success_ms_sum   REAL NOT NULL,
    load_ms_sum      REAL NOT NULL,
    load_count       INTEGER NOT NULL,
    cold_starts      INTEGER NOT NULL,
    warm_successes   INTEGER NOT NULL,
    warm_ms_sum      REAL NOT NULL,
    eval_tokens_sum  INTEGER NOT NULL,
    eval_ms_sum      REAL NOT NULL,
    client_count     INTEGER NOT NULL,
    client_ms_sum    REAL NOT NULL,
    warmups          INTEGER NOT NULL,
    warmup_failures  INTEGER NOT NULL,
    warmup_ms_sum    REAL NOT NULL,
    first_ts         INTEGER,           -- first and last photo; NULL while only warm-ups were seen
    last_ts          INTEGER
  ) STRICT;

  -- The sums over one row (the trigger) and over many (the rebuild) are the same expressions.
  INSERT INTO usage_totals
  SELECT model,
         sum(kind = 'inference'),
         sum(kind = 'inference' AND success = 1),
         sum(kind = 'inference' AND cache_hit = 1),
         sum(kind = 'inference' AND cache_hit = 0 AND success = 1),
         total(CASE WHEN kind = 'inference' AND cache_hit = 0 AND success = 1 THEN duration_ms END),
         total(CASE WHEN kind = 'inference' AND cache_hit = 0 THEN load_ms END),
         sum(kind = 'inference' AND cache_hit = 0 AND load_ms IS NOT NULL),
         sum(kind = 'inference' AND cache_hit = 0 AND coalesce(load_ms, 0) > 1000),
         sum(kind = 'inference' AND cache_hit = 0 AND success = 1 AND (load_ms IS NULL OR load_ms <= 1000)),
         total(CASE WHEN kind = 'inference' AND cache_hit = 0 AND success = 1 AND (load_ms IS NULL OR load_ms <= 1000) THEN duration_ms END),
         coalesce(sum(CASE WHEN kind = 'inference' AND cache_hit = 0 AND eval_tokens IS NOT NULL AND eval_ms > 0 THEN eval_tokens END), 0),
         total(CASE WHEN kind = 'inference' AND cache_hit = 0 AND eval_tokens IS NOT NULL AND eval_ms > 0 THEN eval_ms END),
         sum(kind = 'inference' AND client_ms IS NOT NULL),
         total(CASE WHEN kind = 'inference' THEN client_ms END),
         sum(kind = 'warmup'),
         sum(kind = 'warmup' AND success = 0),
         total(CASE WHEN kind = 'warmup' AND success = 1 THEN duration_ms END),
         min(CASE WHEN kind = 'inference' THEN ts END),
         max(CASE WHEN kind = 'inference' THEN ts END)
  FROM usage GROUP BY model;

  CREATE TRIGGER usage_totals_on_insert AFTER INSERT ON usage BEGIN
    INSERT INTO usage_totals (model, count, successes, cache_hits, timed_successes, success_ms_sum, load_ms_sum, load_count,
                              cold_starts, warm_successes, warm_ms_sum, eval_tokens_sum, eval_ms_sum, client_count,
                              client_ms_sum, warmups, warmup_failures, warmup_ms_sum, first_ts, last_ts)
    VALUES (NEW.model,
            NEW.kind = 'inference',
            NEW.kind = 'inference' AND NEW.success = 1,
            NEW.kind = 'inference' AND NEW.cache_hit = 1,
            NEW.kind = 'inference' AND NEW.cache_hit = 0 AND NEW.success = 1,
            CASE WHEN NEW.kind = 'inference' AND NEW.cache_hit = 0 AND NEW.success = 1 THEN NEW.duration_ms ELSE 0 END,
            CASE WHEN NEW.kind = 'inference' AND NEW.cache_hit = 0 THEN coalesce(NEW.load_ms, 0) ELSE 0 END,
            NEW.kind = 'inference' AND NEW.cache_hit = 0 AND NEW.load_ms IS NOT NULL,
            NEW.kind = 'inference' AND NEW.cache_hit = 0 AND coalesce(NEW.load_ms, 0) > 1000,
            NEW.kind = 'inference' AND NEW.cache_hit = 0 AND NEW.success = 1 AND (NEW.load_ms IS NULL OR NEW.load_ms <= 1000),
            CASE WHEN NEW.kind = 'inference' AND NEW.cache_hit = 0 AND NEW.success = 1 AND (NEW.load_ms IS NULL OR NEW.load_ms <= 1000) THEN NEW.duration_ms ELSE 0 END,
            CASE WHEN NEW.kind = 'inference' AND NEW.cache_hit = 0 AND NEW.eval_tokens IS NOT NULL AND NEW.eval_ms > 0 THEN NEW.eval_tokens ELSE 0 END,
            CASE WHEN NEW.kind = 'inference' AND NEW.cache_hit = 0 AND NEW.eval_tokens IS NOT NULL AND NEW.eval_ms > 0 THEN NEW.eval_ms ELSE 0 END,
            NEW.kind = 'inference' AND NEW.client_ms IS NOT NULL,
            CASE WHEN NEW.kind = 'inference' THEN coalesce(NEW.client_ms, 0) ELSE 0 END,
            NEW.kind = 'warmup',
            NEW.kind = 'warmup' AND NEW.success = 0,
            CASE WHEN NEW.kind = 'warmup' AND NEW.success = 1 THEN NEW.duration_ms ELSE 0 END,
            CASE WHEN NEW.kind = 'inference' THEN NEW.ts END,
            CASE WHEN NEW.kind = 'inference' THEN NEW.ts END)
    ON CONFLICT (model) DO UPDATE SET
      count = count + excluded.count,
      successes = successes + excluded.successes,
      cache_hits = cache_hits + excluded.cache_hits,
      timed_successes = timed_successes + excluded.timed_successes,
      success_ms_sum = success_ms_sum + excluded.success_ms_sum,
      load_ms_sum = load_ms_sum + excluded.load_ms_sum,
      load_count = load_count + excluded.load_count,
      cold_starts = cold_starts + excluded.cold_starts,
      warm_successes = warm_successes + excluded.warm_successes,
      warm_ms_sum = warm_ms_sum + excluded.warm_ms_sum,
      eval_tokens_sum = eval_tokens_sum + excluded.eval_tokens_sum,
      eval_ms_sum = eval_ms_sum + excluded.eval_ms_sum,
      client_count = client_count + excluded.client_count,
      client_ms_sum = client_ms_sum + excluded.client_ms_sum,
      warmups = warmups + excluded.warmups,
      warmup_failures = warmup_failures + excluded.warmup_failures,
      warmup_ms_sum = warmup_ms_sum + excluded.warmup_ms_sum,
      -- min()/max() of a NULL is NULL; coalesce keeps whichever side has a photo.
      first_ts = coalesce(min(first_ts, excluded.first_ts), first_ts, excluded.first_ts),
      last_ts = coalesce(max(last_ts, excluded.last_ts), last_ts, excluded.last_ts);
  END;

  -- The plugin reports its end-to-end time after the photo's row exists (POST /api/model/usage
  -- with client_ms fills that row in), so the totals follow updates of client_ms too.
  CREATE TRIGGER usage_totals_on_client_ms AFTER UPDATE OF client_ms ON usage WHEN NEW.kind = 'inference' BEGIN
    UPDATE usage_totals SET
      client_count = client_count + (NEW.client_ms IS NOT NULL) - (OLD.client_ms IS NOT NULL),
      client_ms_sum = client_ms_sum + coalesce(NEW.client_ms, 0) - coalesce(OLD.client_ms, 0)
    WHERE model = NEW.model;
  END;

  -- Evaluation results by (image content, model digest, prompt version, request shape), so that
  -- re-exporting the same photos does not run the model again. Bounded: the least recently used
  -- rows go first.
  CREATE TABLE evaluation_cache (
    key           TEXT PRIMARY KEY,
    model         TEXT NOT NULL,
    result        TEXT NOT NULL,
    created_ms    INTEGER NOT NULL,
    last_used_ms  INTEGER NOT NULL
  ) STRICT;
  CREATE INDEX evaluation_cache_lru ON evaluation_cache (last_used_ms);
  `,
  `
  -- Downloads (issue 11): pulling a model Ollama already has is an update check, and whether it
  -- found anything new is known only at the end (NULL until then).
  ALTER TABLE download_jobs ADD COLUMN update_check INTEGER NOT NULL DEFAULT 0 CHECK (update_check IN (0, 1));
  ALTER TABLE download_jobs ADD COLUMN up_to_date INTEGER CHECK (up_to_date IN (0, 1));
  `,
  `
  -- Ollama 0.12+ lists cloud models (\`*-cloud\`) beside local ones: a few hundred bytes on disk, the
  -- model itself on ollama.com. Where one runs decides whether a photo may go to it.
  ALTER TABLE models ADD COLUMN remote_host TEXT;
  `,
  `
  -- The name as the photographer spelled it, sent to Ollama when pulling: registries such as hf.co
  -- may tell Q4_K_M from q4_k_m, while \`model\` is the canonical, lower-case name we compare. NULL: same as model.
  ALTER TABLE download_jobs ADD COLUMN pull_name TEXT;
  `,
  `
  -- Whose fault a failed photo was (issue 12): 'caller' when the photo, the request or an absent
  -- Ollama was to blame, 'model' otherwise (daemon/errors.ts NOT_THE_MODEL). Rows written before
  -- this step are classified by the codes known when it shipped.
  ALTER TABLE usage ADD COLUMN fault TEXT CHECK (fault IN ('model', 'caller'));
  UPDATE usage SET fault = CASE
    WHEN success = 1 THEN NULL
    WHEN error_code IN ('INVALID_REQUEST', 'INVALID_MODEL_NAME', 'NO_CURRENT_MODEL', 'MODEL_NOT_VISION', 'MODEL_NOT_FOUND',
                        'MODEL_NOT_INSTALLED', 'IMAGE_NOT_FOUND', 'IMAGE_UNREADABLE', 'UNSUPPORTED_IMAGE', 'IMAGE_TOO_LARGE',
                        'OLLAMA_UNREACHABLE', 'OLLAMA_TIMEOUT', 'BUSY', 'CLIENT_CLOSED', 'INTERRUPTED', 'DISK_FULL', 'STORAGE_ERROR')
      THEN 'caller'
    ELSE 'model' END;

  -- Photos that failed through no fault of the model: counted in count, never in the success rate.
  ALTER TABLE usage_totals ADD COLUMN caller_faults INTEGER NOT NULL DEFAULT 0;
  UPDATE usage_totals SET caller_faults =
    (SELECT count(*) FROM usage u WHERE u.model = usage_totals.model AND u.kind = 'inference' AND u.fault = 'caller');

  -- An upsert of its own rather than a rewrite of usage_totals_on_insert: SQLite does not promise
  -- which trigger fires first, so either may be the one that creates the model's row.
  CREATE TRIGGER usage_totals_caller_faults AFTER INSERT ON usage WHEN NEW.kind = 'inference' AND NEW.fault = 'caller' BEGIN
    INSERT INTO usage_totals (model, count, successes, cache_hits, timed_successes, success_ms_sum, load_ms_sum, load_count,
                              cold_starts, warm_successes, warm_ms_sum, eval_tokens_sum, eval_ms_sum, client_count,
                              client_ms_sum, warmups, warmup_failures, warmup_ms_sum, first_ts, last_ts, caller_faults)
    VALUES (NEW.model, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, NULL, NULL, 1)
    ON CONFLICT (model) DO UPDATE SET caller_faults = caller_faults + 1;
  END;
  `,
  `
  -- Comparison runs (issue 15): every photo of a set the photographer has already judged, through
  -- every chosen model, one model at a time. The photographer's judgement and each model's answer
  -- are kept per photo, so a run cut off by a restart resumes where it stopped and its figures
  -- are recomputed from rows rather than patched.
  CREATE TABLE compare_runs (
    id            TEXT PRIMARY KEY,
    status        TEXT NOT NULL CHECK (status IN ('queued', 'running', 'completed', 'failed', 'cancelled', 'interrupted')),
    options       TEXT NOT NULL,     -- JSON: the evaluation options every photo is asked with
    photo_count   INTEGER NOT NULL,
    error_code    TEXT,
    error_message TEXT,
    created_at    TEXT NOT NULL,
    updated_at    TEXT NOT NULL,
    finished_at   TEXT
  ) STRICT;
  CREATE INDEX compare_runs_by_created ON compare_runs (created_at);

  -- image_base64 is kept only while the run may still need it; it is cleared once the run ends.
  CREATE TABLE compare_photos (
    run_id        TEXT NOT NULL REFERENCES compare_runs (id) ON DELETE CASCADE,
    idx           INTEGER NOT NULL,
    photo_id      TEXT NOT NULL,
    image_path    TEXT,
    image_base64  TEXT,
    rating        INTEGER CHECK (rating BETWEEN 0 AND 5),
    pick          TEXT CHECK (pick IN ('pick', 'reject', 'none')),
    keywords      TEXT,              -- JSON array, NULL when the photographer gave none
    PRIMARY KEY (run_id, idx)
  ) STRICT;

  -- One row per model in run order; loads counts the times Ollama loaded it during the run.
  CREATE TABLE compare_models (
    run_id        TEXT NOT NULL REFERENCES compare_runs (id) ON DELETE CASCADE,
    position      INTEGER NOT NULL,
    model         TEXT NOT NULL,
    status        TEXT NOT NULL CHECK (status IN ('pending', 'running', 'done', 'skipped')),
    loads         INTEGER NOT NULL DEFAULT 0,
    load_ms       REAL,
    size_bytes    INTEGER,
    vram_bytes    INTEGER,
    photos_ms     REAL NOT NULL DEFAULT 0,  -- wall time spent on photos, loads excluded, summed over resumes
    error_code    TEXT,
    error_message TEXT,
    PRIMARY KEY (run_id, model)
  ) STRICT;

  -- One row per photo a model finished, whatever its outcome; a photo cut off by a stop has none.
  CREATE TABLE compare_results (
    run_id        TEXT NOT NULL REFERENCES compare_runs (id) ON DELETE CASCADE,
    model         TEXT NOT NULL,
    idx           INTEGER NOT NULL,
    success       INTEGER NOT NULL CHECK (success IN (0, 1)),
    fault         TEXT CHECK (fault IN ('model', 'caller')),
    error_code    TEXT,
    rating        INTEGER,
    flag          TEXT,
    keywords      TEXT,
    duration_ms   REAL,
    load_ms       REAL,
    PRIMARY KEY (run_id, model, idx)
  ) STRICT;

  -- The photographer's taste per model, learnt from a finished comparison: the star to give for
  -- each of the model's stars 1-5. Kept with the model's digest, as a re-pulled model is not the
  -- one that was calibrated; applied to later evaluations only when cross-validation showed a gain.
  CREATE TABLE calibrations (
    model           TEXT PRIMARY KEY,
    digest          TEXT,
    run_id          TEXT NOT NULL,
    star_map        TEXT NOT NULL,
    photos          INTEGER NOT NULL,
    before_spearman REAL,
    before_mae      REAL NOT NULL,
    after_spearman  REAL,
    after_mae       REAL NOT NULL,
    applied         INTEGER NOT NULL CHECK (applied IN (0, 1)),
    created_at      TEXT NOT NULL
  ) STRICT;
  `,
  `
  -- AI runs (issue 16): each write of AI values to photos' real fields, per photo and field with the
  -- value before and after (JSON, as Lightroom holds it), so that the run can be undone. undo and
  -- undo_reason say what the undo did with each change; NULL until the run is undone.
  CREATE TABLE runs (
    id          TEXT PRIMARY KEY,
    kind        TEXT NOT NULL CHECK (kind IN ('apply', 'evaluate')),
    model       TEXT,
    source      TEXT,
    status      TEXT NOT NULL CHECK (status IN ('open', 'undone', 'partly_undone')),
    created_at  TEXT NOT NULL,
    undone_at   TEXT
  ) STRICT;
  CREATE INDEX runs_by_created ON runs (created_at);

  CREATE TABLE run_changes (
    id                INTEGER PRIMARY KEY,
    run_id            TEXT NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
    photo_id          TEXT NOT NULL,
    field             TEXT NOT NULL CHECK (field IN ('rating', 'pick', 'title', 'caption', 'keywords')),
    before            TEXT NOT NULL,
    after             TEXT NOT NULL,
    keywords_added    TEXT NOT NULL DEFAULT '[]',
    keywords_created  TEXT NOT NULL DEFAULT '[]',
    undo              TEXT CHECK (undo IN ('restored', 'left')),
    undo_reason       TEXT,
    UNIQUE (run_id, photo_id, field)
  ) STRICT;
  `,
  `
  -- Usage ingest that does not slow down as the table grows (issue 18). The usage table becomes
  -- append-only with no index but its rowid: the three partial indexes on random keys (durations,
  -- photo ids) and the per-row triggers cost ~100 µs a row at a million rows, as every batch
  -- dirtied a page per row. The store keeps the summaries itself instead (daemon/store/usage-repo.ts):
  -- usage_totals as before (same columns, same meaning), written once per model and batch in the
  -- batch's transaction; the duration histograms for percentiles and the recent photo rows a
  -- client_ms report may complete, in memory, built from the rows. usage_summary saves the
  -- histograms now and then (JSON, covering the rows up to upto_id), so that opening the store
  -- reads only the rows after it; without it (as after this step) every row is read once.
  DROP TRIGGER usage_totals_on_insert;
  DROP TRIGGER usage_totals_caller_faults;
  DROP TRIGGER usage_totals_on_client_ms;
  DROP INDEX usage_timed_successes;
  DROP INDEX usage_warm_successes;
  DROP INDEX usage_by_photo;
  CREATE TABLE usage_summary (
    id          INTEGER PRIMARY KEY CHECK (id = 1),
    upto_id     INTEGER NOT NULL,
    histograms  TEXT NOT NULL
  ) STRICT;
  `,
];
