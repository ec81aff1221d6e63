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
];
