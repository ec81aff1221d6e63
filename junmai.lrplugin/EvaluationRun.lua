--[[
One evaluation run: photos come from a source in order; the run keeps up to N of them in
evaluation at once (one async task per photo in flight) while the main task waits for the
next render, and the main task alone writes results to the catalog, in batches.

Plain: Lightroom comes in through deps, so the scheduling is tested without it.
deps:
  client      evaluate(body) -> answer | nil, err;  recordUsage(records) (DaemonClient)
  writer      write(entries {item, photo, result}) -> outcomes (MetadataWriter's writer)
  clock()     seconds;  sleep(seconds) (yields);  startTask(fn, name);  pcall (coroutine-safe)
  progress    optional: setPortionComplete(done, total), setCaption(text), isCanceled()
  log         optional
source: next() -> item | nil (the main task calls it; it may wait), close() optional.
  An item: {name, photoId, photo, skip (true: nothing to evaluate, e.g. a video),
            prepare() -> image path | nil, sentence   (waits for the render),
            finish()                                  (e.g. settle its render with Lightroom),
            cleanup() optional                        (e.g. delete the temporary file)}
opts: total (items the source gives), concurrency (N), request(path, item) -> body,
      batchSize (10), batchSeconds (2), usageBatch (25), pollSeconds (0.05),
      maxFailuresInARow (5), retryDelays ({1, 3} seconds between attempts).

Rules:
  * A photo is finished only once its evaluation is written; a failure is finished at once,
    counted and named in the report, and the rest go on.
  * A fatal error (daemon or Ollama gone, no usable model: EvaluationRun.isFatal) stops the run:
    nothing more is sent; what is in flight is waited for (answers that arrive are written); the
    photos not evaluated are finished without being sent.
  * Cancel (progress:isCanceled()) stops the same way, with "cancelled".
  * A network hiccup on one photo (a kept-alive connection the daemon had closed, a refused or
    timed-out request) is retried after a pause (EvaluationRun.ATTEMPTS); a daemon that already
    finished the evaluation answers the retry from its cache. Only when the last attempt fails
    too does the run stop, with that error.
  * The report lists the photos evaluated (evaluatedPhotos) and those that were not, whatever
    the reason (unevaluatedPhotos; videos skipped are in neither).
  * The plug-in's own time per photo (from taking it from the source, render wait included, to
    its write) goes to POST /api/model/usage as client_ms, for photos the daemon recorded.
]]
local Json = require "Json"
local DaemonErrors = require "DaemonErrors"

local EvaluationRun = {}

EvaluationRun.BATCH_SIZE = 10
EvaluationRun.BATCH_SECONDS = 2
EvaluationRun.USAGE_BATCH = 25
EvaluationRun.POLL_SECONDS = 0.05
EvaluationRun.MAX_FAILURES_IN_A_ROW = 5
EvaluationRun.RETRY_DELAYS = { 1, 3 }

-- Attempts per photo for errors of the connection rather than of the photo. A timeout already
-- waited long, so it gets one more try only.
EvaluationRun.ATTEMPTS = { NETWORK_ERROR = 3, DAEMON_DOWN = 3, DAEMON_TIMEOUT = 2 }

-- Errors after which no further photo can succeed: asking again would only repeat them.
EvaluationRun.FATAL = {
  DAEMON_DOWN = true, DAEMON_TIMEOUT = true, NETWORK_ERROR = true, BAD_URL = true, BAD_RESPONSE = true,
  UNAUTHORIZED = true, FORBIDDEN_HOST = true, FORBIDDEN_ORIGIN = true, ROUTE_NOT_FOUND = true,
  OLLAMA_UNREACHABLE = true, NO_CURRENT_MODEL = true, MODEL_NOT_VISION = true, MODEL_NOT_INSTALLED = true,
  MODEL_NOT_FOUND = true, INVALID_MODEL_NAME = true, BUSY = true, DISK_FULL = true, STORAGE_ERROR = true,
  DAEMON_NOT_INSTALLED = true, DAEMON_START_FAILED = true, DAEMON_START_TIMEOUT = true, DAEMON_START_CANCELLED = true, PORT_BUSY = true,
  TOO_MANY_FAILURES = true,
}

function EvaluationRun.isFatal(err)
  return type(err) == "table" and EvaluationRun.FATAL[err.code] == true
end

local function tooManyFailures(n, err)
  return {
    code = "TOO_MANY_FAILURES",
    message = LOC("$$$/Junmai/Run/TooMany=^1 photos in a row could not be evaluated, so Junmai stopped. The last reason: ^2", tostring(n), DaemonErrors.describe(err)),
  }
end

local function newReport(total)
  return {
    total = total, evaluated = 0, failed = {}, skipped = 0, notEvaluated = 0, cancelled = false, stopped = nil,
    written = { rating = 0, flag = 0, keywords = 0, caption = 0, title = 0 }, keptPhotos = 0, suggested = 0, cacheHits = 0,
    model = nil, usageReported = 0, usageErrors = 0, maxInFlight = 0, retries = 0,
    evaluatedPhotos = {}, unevaluatedPhotos = {},
  }
end

function EvaluationRun.run(deps, source, opts)
  local clock, sleep, pcall = deps.clock, deps.sleep, deps.pcall or pcall
  local total = opts.total or 0
  local concurrency = math.max(1, opts.concurrency or 1)
  local batchSize = opts.batchSize or EvaluationRun.BATCH_SIZE
  local batchSeconds = opts.batchSeconds or EvaluationRun.BATCH_SECONDS
  local usageBatch = opts.usageBatch or EvaluationRun.USAGE_BATCH
  local poll = opts.pollSeconds or EvaluationRun.POLL_SECONDS
  local maxInARow = opts.maxFailuresInARow or EvaluationRun.MAX_FAILURES_IN_A_ROW
  local retryDelays = opts.retryDelays or EvaluationRun.RETRY_DELAYS
  local progress = deps.progress
  local log = deps.log

  local report = newReport(total)
  local inFlight, pulled, finished, inARow = 0, 0, 0, 0
  local arrived = {}
  local pending, pendingSince = {}, nil
  local usage = Json.array({})

  local function canceled()
    if report.cancelled then return true end
    if progress and progress.isCanceled and progress:isCanceled() then report.cancelled = true end
    return report.cancelled
  end

  local function showProgress(item)
    if not progress then return end
    if progress.setPortionComplete then progress:setPortionComplete(finished, math.max(total, 1)) end
    if item and progress.setCaption then
      progress:setCaption(LOC("$$$/Junmai/Run/Caption=Evaluating ^1 of ^2: ^3", tostring(math.min(pulled, total)), tostring(total), tostring(item.name)))
    end
  end

  local function finish(item)
    local done, err = pcall(item.finish)
    if not done and log then log:error("finishing " .. tostring(item.name) .. ": " .. tostring(err)) end
    if item.cleanup then pcall(item.cleanup) end
    finished = finished + 1
    showProgress(nil)
  end

  local function unevaluated(item)
    if item.photo then report.unevaluatedPhotos[#report.unevaluatedPhotos + 1] = item.photo end
  end

  local function fail(item, message, code)
    report.failed[#report.failed + 1] = { name = item.name, message = message, code = code }
    unevaluated(item)
    finish(item)
  end

  local function notEvaluated(item)
    report.notEvaluated = report.notEvaluated + 1
    unevaluated(item)
    finish(item)
  end

  local function flushUsage(force)
    if #usage == 0 or (not force and #usage < usageBatch) then return end
    local batch = usage
    usage = Json.array({})
    local ok, answer, err = pcall(deps.client.recordUsage, deps.client, batch)
    if ok and answer then
      report.usageReported = report.usageReported + #batch
    else
      report.usageErrors = report.usageErrors + #batch
      if log then log:warn("usage report failed: " .. tostring(ok and err and err.message or answer)) end
    end
  end

  -- Only photos the daemon recorded a usage row for: the report completes that row.
  local function addUsage(item, model, success, code)
    if not model or not item.photoId then return end
    local ms = math.floor((clock() - item.startedAt) * 1000 + 0.5)
    usage[#usage + 1] = { model = model, photo_id = item.photoId, client_ms = ms, duration_ms = ms, success = success, error_code = code }
    flushUsage(false)
  end

  local function flushWrites(force)
    if #pending == 0 then return end
    if not force and #pending < batchSize and clock() - pendingSince < batchSeconds then return end
    local batch = pending
    pending, pendingSince = {}, nil
    local ok, outcomes = pcall(deps.writer.write, deps.writer, batch)
    if not ok and log then log:error("writing a batch: " .. tostring(outcomes)) end
    for i, entry in ipairs(batch) do
      local o = ok and type(outcomes) == "table" and outcomes[i] or nil
      if o and o.ok then
        report.evaluated = report.evaluated + 1
        local any = false
        for field in pairs(o.written or {}) do report.written[field] = (report.written[field] or 0) + 1 end
        for _ in pairs(o.kept or {}) do any = true end
        if any then report.keptPhotos = report.keptPhotos + 1 end
        if o.suggested then report.suggested = report.suggested + 1 end
        addUsage(entry.item, entry.model, true)
        if entry.photo then report.evaluatedPhotos[#report.evaluatedPhotos + 1] = entry.photo end
        finish(entry.item)
      else
        addUsage(entry.item, entry.model, true)
        fail(entry.item, o and o.message or LOC "$$$/Junmai/Run/WriteFailed=The evaluation could not be saved to the catalog; the details are in Junmai.log.", "WRITE_FAILED")
      end
    end
  end

  local function handleArrived()
    while #arrived > 0 do
      local r = table.remove(arrived, 1)
      inFlight = inFlight - 1
      local item, answer, err = r.item, r.answer, r.err
      if answer then
        inARow = 0
        report.model = answer.model or report.model
        if answer.cache_hit then report.cacheHits = report.cacheHits + 1 end
        if #pending == 0 then pendingSince = clock() end
        pending[#pending + 1] = { item = item, photo = item.photo, result = answer.result or {}, model = answer.model }
      elseif EvaluationRun.isFatal(err) then
        report.stopped = report.stopped or err
        notEvaluated(item)
      else
        inARow = inARow + 1
        local details = type(err) == "table" and err.details or nil
        if details and details.photo_id then addUsage(item, details.model, false, err.code) end
        fail(item, DaemonErrors.describe(err), type(err) == "table" and err.code or nil)
        if inARow >= maxInARow and not report.stopped then report.stopped = tooManyFailures(inARow, err) end
      end
    end
  end

  local function dispatch(item, path)
    inFlight = inFlight + 1
    if inFlight > report.maxInFlight then report.maxInFlight = inFlight end
    local body = opts.request(path, item)
    deps.startTask(function()
      local ok, answer, err
      local attempt = 0
      while true do
        attempt = attempt + 1
        ok, answer, err = pcall(deps.client.evaluate, deps.client, body)
        if not ok then
          if log then log:error("evaluating " .. tostring(item.name) .. ": " .. tostring(answer)) end
          answer, err = nil, { code = "PLUGIN_ERROR", message = LOC "$$$/Junmai/Run/Unexpected=Something went wrong inside the Junmai plug-in with this photo; the details are in Junmai.log." }
        end
        local code = type(err) == "table" and err.code or nil
        if answer or attempt >= (EvaluationRun.ATTEMPTS[code] or 1) or report.stopped or canceled() then break end
        report.retries = report.retries + 1
        if log then log:warn("evaluating " .. tostring(item.name) .. ": " .. tostring(code) .. ", trying again (attempt " .. (attempt + 1) .. ")") end
        sleep(retryDelays[math.min(attempt, #retryDelays)])
      end
      arrived[#arrived + 1] = { item = item, answer = answer, err = err }
    end, "Junmai evaluate")
  end

  -- Takes the next item, waits for its render and sends it. Returns false once the source is done.
  local function takeNext()
    local ok, item = pcall(source.next)
    if not ok then
      if log then log:error("next photo: " .. tostring(item)) end
      item = nil
    end
    if not item then
      total = pulled
      report.total = pulled
      return false
    end
    pulled = pulled + 1
    item.startedAt = clock()
    showProgress(item)
    local prepared, path, message = pcall(item.prepare)
    if not prepared then
      if log then log:error("render of " .. tostring(item.name) .. ": " .. tostring(path)) end
      path, message = nil, nil
    end
    if canceled() then
      notEvaluated(item)
    elseif item.skip then
      report.skipped = report.skipped + 1
      finish(item)
    elseif not path then
      fail(item, LOC("$$$/Junmai/Run/RenderFailed=Lightroom could not render this photo: ^1", tostring(message or LOC "$$$/Junmai/Run/NoReason=no reason given.")), "RENDER_FAILED")
    else
      dispatch(item, path)
    end
    return true
  end

  while true do
    handleArrived()
    flushWrites(false)
    if report.stopped or canceled() then break end
    if inFlight < concurrency and pulled < total then
      takeNext()
    elseif inFlight == 0 and pulled >= total then
      break
    else
      sleep(poll)
    end
  end

  -- What is in flight comes back; its answers are written.
  while inFlight > 0 do
    handleArrived()
    flushWrites(false)
    if inFlight > 0 then sleep(poll) end
  end
  handleArrived()
  flushWrites(true)

  if pulled < total then
    while pulled < total do
      local ok, item = pcall(source.next)
      if not ok or not item then break end
      pulled = pulled + 1
      notEvaluated(item)
    end
  end
  if source.close then pcall(source.close) end
  flushUsage(true)
  return report
end

return EvaluationRun
