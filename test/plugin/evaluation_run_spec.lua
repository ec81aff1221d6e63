-- EvaluationRun's scheduling with fakes: photos in flight, batches, failures, stops, cancel, usage.
local sdk = require "sdk"
local EvaluationRun = require "EvaluationRun"
local Json = require "Json"

local LrTasks = sdk.import "LrTasks"
local LrDate = sdk.import "LrDate"

-- A client whose evaluate takes `seconds` (yielding, as a request in Lightroom does) and answers
-- with behaviour(n, body) when given, else a success.
local function fakeClient(seconds, behaviour)
  local c = { calls = {}, usage = {}, inFlight = 0, maxInFlight = 0 }
  function c.evaluate(self, body)
    assert(self == c)
    self.calls[#self.calls + 1] = body
    local n = #self.calls
    self.inFlight = self.inFlight + 1
    if self.inFlight > self.maxInFlight then self.maxInFlight = self.inFlight end
    if seconds and seconds > 0 then LrTasks.sleep(seconds) end
    self.inFlight = self.inFlight - 1
    if behaviour then return behaviour(n, body) end
    return { success = true, model = "gemma3:4b", cache_hit = false, result = { rating = 4, flag = "pick", keywords = { "dog" }, caption = "A dog.", title = "Dog" } }
  end
  function c.recordUsage(self, records)
    assert(self == c)
    assert.are.equal("array", getmetatable(records).__jsontype)
    self.usage[#self.usage + 1] = records
    return { success = true, recorded = #records }
  end
  return c
end

local function fakeWriter(outcome)
  local w = { batches = {}, order = {} }
  function w.write(self, entries)
    assert(self == w)
    local sizes = {}
    for i, e in ipairs(entries) do
      sizes[i] = e.item.name
      w.order[#w.order + 1] = e.item.name
    end
    w.batches[#w.batches + 1] = sizes
    local out = {}
    for i, e in ipairs(entries) do
      out[i] = outcome and outcome(e) or { ok = true, written = { rating = true, keywords = true }, kept = {} }
    end
    return out
  end
  return w
end

-- n items named p1..pn (their photo is the name); renderSeconds per render; the time of each
-- finish in `log.finished`.
local function fakeSource(n, opts)
  opts = opts or {}
  local log = { finished = {}, taken = 0, closed = false, cleaned = {} }
  local i = 0
  local source = { log = log }
  function source.next()
    if i >= n then
      log.pastEnd = (log.pastEnd or 0) + 1
      return nil
    end
    i = i + 1
    log.taken = i
    local name = "p" .. i
    local item = { name = name, photo = name, photoId = tostring(100 + i), skip = opts.skip and opts.skip[i] or false }
    function item.prepare()
      if opts.renderSeconds then LrTasks.sleep(opts.renderSeconds) end
      if opts.onPrepare then opts.onPrepare(i) end
      if opts.renderError and opts.renderError[i] then return nil, opts.renderError[i] end
      return "/tmp/" .. name .. ".jpg"
    end
    function item.finish(...)
      assert.are.equal(0, select("#", ...))
      assert.is_nil(log.finished[name], name .. " was finished twice")
      log.finished[name] = LrDate.currentTime()
    end
    function item.cleanup() log.cleaned[#log.cleaned + 1] = name end
    return item
  end
  function source.close() log.closed = true end
  return source
end

local function run(client, writer, source, opts, progress)
  local report
  LrTasks.startAsyncTask(function()
    report = EvaluationRun.run({
      client = client, writer = writer, clock = LrDate.currentTime, sleep = LrTasks.sleep,
      startTask = LrTasks.startAsyncTask, pcall = LrTasks.pcall, progress = progress,
    }, source, opts)
  end, "run")
  assert.is_true(sdk.runTasks({ timeout = 20 }))
  assert.are.same({}, LrTasks._errors)
  return report
end

local function request(path, item)
  return { image_path = path, photo_id = item.photoId, fields = Json.array({ "rating" }) }
end

describe("EvaluationRun", function()
  before_each(function() sdk.reset() end)

  it("keeps N photos in evaluation while the next one renders, and is that much faster", function()
    local client = fakeClient(0.15)
    local source = fakeSource(8, { renderSeconds = 0.01 })
    local started = LrDate.currentTime()
    local report = run(client, fakeWriter(), source, { total = 8, concurrency = 2, request = request })
    local parallel = LrDate.currentTime() - started
    assert.are.equal(2, client.maxInFlight)
    assert.are.equal(2, report.maxInFlight)
    assert.are.equal(8, report.evaluated)
    for i = 1, 8 do assert.is_number(source.log.finished["p" .. i]) end

    local serialClient = fakeClient(0.15)
    started = LrDate.currentTime()
    run(serialClient, fakeWriter(), fakeSource(8, { renderSeconds = 0.01 }), { total = 8, concurrency = 1, request = request })
    local serial = LrDate.currentTime() - started
    assert.are.equal(1, serialClient.maxInFlight)
    -- 8 × 0.15 s one by one against about half of that two at a time.
    assert.is_true(serial >= 1.2, "serial took " .. serial)
    assert.is_true(parallel < serial * 0.7, string.format("parallel %.2f s vs serial %.2f s", parallel, serial))
  end)

  it("never takes a photo from the source beyond the total, and closes it at the end", function()
    local source = fakeSource(3)
    run(fakeClient(0), fakeWriter(), source, { total = 3, concurrency = 4, request = request })
    assert.is_nil(source.log.pastEnd)
    assert.is_true(source.log.closed)
  end)

  it("sends each photo's rendered path and id, and deletes its file once done", function()
    local client = fakeClient(0)
    local source = fakeSource(2)
    run(client, fakeWriter(), source, { total = 2, concurrency = 2, request = request })
    assert.are.equal("/tmp/p1.jpg", client.calls[1].image_path)
    assert.are.equal("101", client.calls[1].photo_id)
    assert.are.same({ "p1", "p2" }, source.log.cleaned)
  end)

  it("writes in batches of the batch size, and the rest at the end", function()
    local writer = fakeWriter()
    run(fakeClient(0), writer, fakeSource(7), { total = 7, concurrency = 2, request = request, batchSize = 3 })
    assert.are.same({ { "p1", "p2", "p3" }, { "p4", "p5", "p6" }, { "p7" } }, writer.batches)
  end)

  it("writes what waited longer than the batch time even when the batch is not full", function()
    local writer = fakeWriter()
    run(fakeClient(0.12), writer, fakeSource(5), { total = 5, concurrency = 1, request = request, batchSize = 10, batchSeconds = 0.2 })
    assert.is_true(#writer.batches >= 2, "only " .. #writer.batches .. " batch(es)")
    assert.are.same({ "p1", "p2", "p3", "p4", "p5" }, writer.order)
  end)

  it("finishes a photo only once its evaluation is written", function()
    local writtenAt = {}
    local writer = fakeWriter(function(e)
      writtenAt[e.item.name] = LrDate.currentTime()
      return { ok = true, written = { rating = true } }
    end)
    local source = fakeSource(4)
    run(fakeClient(0.02), writer, source, { total = 4, concurrency = 2, request = request, batchSize = 2 })
    for i = 1, 4 do
      assert.is_true(source.log.finished["p" .. i] >= writtenAt["p" .. i])
    end
  end)

  it("fails one photo with the daemon's sentence and goes on with the rest", function()
    local client = fakeClient(0, function(n)
      if n == 3 then
        return nil, { code = "OLLAMA_ERROR", status = 502, message = "Ollama failed on this photo: boom.", details = { model = "gemma3:4b", photo_id = "103" } }
      end
      if n == 5 then return nil, { code = "UNSUPPORTED_IMAGE", status = 400, message = "That file is not a JPEG, PNG, TIFF or WebP image." } end
      return { success = true, model = "gemma3:4b", result = { rating = 3 } }
    end)
    local source = fakeSource(6)
    local report = run(client, fakeWriter(), source, { total = 6, concurrency = 1, request = request })
    assert.are.equal(6, #client.calls)
    assert.are.equal(4, report.evaluated)
    assert.are.same({
      { name = "p3", message = "Ollama failed on this photo: boom.", code = "OLLAMA_ERROR" },
      { name = "p5", message = "That file is not a JPEG, PNG, TIFF or WebP image.", code = "UNSUPPORTED_IMAGE" },
    }, report.failed)
    assert.are.same({ "p1", "p2", "p4", "p6" }, report.evaluatedPhotos)
    assert.are.same({ "p3", "p5" }, report.unevaluatedPhotos)
    for i = 1, 6 do assert.is_number(source.log.finished["p" .. i]) end
    assert.is_nil(report.stopped)
    -- Usage: the four successes and the failure the daemon recorded (it named the photo), not the one it refused before.
    local records = {}
    for _, batch in ipairs(client.usage) do
      for _, r in ipairs(batch) do records[#records + 1] = r end
    end
    assert.are.equal(5, #records)
    local byPhoto = {}
    for _, r in ipairs(records) do byPhoto[r.photo_id] = r end
    assert.is_nil(byPhoto["105"])
    assert.are.same({ model = "gemma3:4b", photo_id = "103", success = false, error_code = "OLLAMA_ERROR" },
      { model = byPhoto["103"].model, photo_id = byPhoto["103"].photo_id, success = byPhoto["103"].success, error_code = byPhoto["103"].error_code })
    for _, r in ipairs(records) do
      assert.is_number(r.client_ms)
      assert.are.equal(r.client_ms, r.duration_ms)
      assert.is_true(r.client_ms >= 0)
    end
    assert.are.equal(5, report.usageReported)
  end)

  it("stops at a daemon that stays away: nothing more is sent and the rest are not done", function()
    local client = fakeClient(0, function(n)
      if n >= 2 then return nil, { code = "DAEMON_DOWN", message = "The Junmai daemon is not running at http://127.0.0.1:5100." } end
      return { success = true, model = "gemma3:4b", result = { rating = 5 } }
    end)
    local source = fakeSource(5)
    local report = run(client, fakeWriter(), source, { total = 5, concurrency = 1, request = request, retryDelays = { 0.01 } })
    -- Photo 2 was tried three times before the run gave up.
    assert.are.equal(4, #client.calls)
    assert.are.equal(2, report.retries)
    assert.are.equal("DAEMON_DOWN", report.stopped.code)
    assert.are.equal(1, report.evaluated)
    assert.are.equal(4, report.notEvaluated)
    assert.are.same({}, report.failed)
    assert.are.same({ "p1" }, report.evaluatedPhotos)
    assert.are.same({ "p2", "p3", "p4", "p5" }, report.unevaluatedPhotos)
    for i = 1, 5 do assert.is_number(source.log.finished["p" .. i]) end
    assert.are.equal(5, source.log.taken)
    assert.is_true(source.log.closed)
  end)

  it("tries a photo again after a network hiccup or a timeout, and goes on", function()
    local hiccups = { [2] = "NETWORK_ERROR", [4] = "DAEMON_TIMEOUT", [6] = "DAEMON_DOWN" }
    local client = fakeClient(0, function(n)
      if hiccups[n] then return nil, { code = hiccups[n], message = "hiccup " .. n } end
      return { success = true, model = "gemma3:4b", result = { rating = 5 } }
    end)
    local source = fakeSource(4)
    local report = run(client, fakeWriter(), source, { total = 4, concurrency = 1, request = request, retryDelays = { 0.01 } })
    assert.is_nil(report.stopped)
    assert.are.equal(4, report.evaluated)
    assert.are.same({}, report.failed)
    assert.are.equal(3, report.retries)
    assert.are.equal(7, #client.calls)
    -- The retry sends the same request.
    assert.are.same(client.calls[2], client.calls[3])
    for i = 1, 4 do assert.is_number(source.log.finished["p" .. i]) end
  end)

  it("tries a timed-out photo once more only, then stops with the timeout", function()
    local client = fakeClient(0, function()
      return nil, { code = "DAEMON_TIMEOUT", message = "The Junmai daemon did not answer within 330 s." }
    end)
    local report = run(client, fakeWriter(), fakeSource(3), { total = 3, concurrency = 1, request = request, retryDelays = { 0.01 } })
    assert.are.equal(2, #client.calls)
    assert.are.equal("DAEMON_TIMEOUT", report.stopped.code)
    assert.are.equal(3, report.notEvaluated)
  end)

  it("writes the answers still in flight when a fatal error arrives", function()
    local client = fakeClient(0.05, function(n)
      if n == 1 then return nil, { code = "MODEL_NOT_VISION", message = "llama3.1:8b cannot look at images." } end
      return { success = true, model = "gemma3:4b", result = { rating = 2 } }
    end)
    local source = fakeSource(6)
    local report = run(client, fakeWriter(), source, { total = 6, concurrency = 3, request = request })
    assert.are.equal(3, #client.calls)
    assert.are.equal(2, report.evaluated)
    assert.are.equal(4, report.notEvaluated)
    assert.are.equal("MODEL_NOT_VISION", report.stopped.code)
  end)

  it("stops after five failures in a row, as something is wrong for every photo", function()
    local client = fakeClient(0, function() return nil, { code = "OLLAMA_ERROR", message = "Ollama failed." } end)
    local report = run(client, fakeWriter(), fakeSource(20), { total = 20, concurrency = 1, request = request })
    assert.are.equal(5, #client.calls)
    assert.are.equal("TOO_MANY_FAILURES", report.stopped.code)
    assert.are.equal("5 photos in a row could not be evaluated, so Junmai stopped. The last reason: Ollama failed.", report.stopped.message)
    assert.are.equal(5, #report.failed)
    assert.are.equal(15, report.notEvaluated)
  end)

  it("stops taking photos when cancelled; those in flight are still written", function()
    local progress = { canceled = false, captions = {} }
    function progress.isCanceled(self) return self.canceled end
    function progress.setPortionComplete() end
    function progress.setCaption(self, c) self.captions[#self.captions + 1] = c end
    local source
    source = fakeSource(10, { onPrepare = function(i) if i == 4 then progress.canceled = true end end })
    local client = fakeClient(0)
    local report = run(client, fakeWriter(), source, { total = 10, concurrency = 1, request = request }, progress)
    assert.is_true(report.cancelled)
    assert.are.equal(3, #client.calls)
    assert.are.equal(3, report.evaluated)
    assert.are.equal(7, report.notEvaluated)
    assert.are.same({ "p4", "p5", "p6", "p7", "p8", "p9", "p10" }, report.unevaluatedPhotos)
    for i = 1, 10 do assert.is_number(source.log.finished["p" .. i]) end
    assert.are.equal("Evaluating 4 of 10: p4", progress.captions[#progress.captions])
  end)

  it("fails a photo Lightroom could not render, without asking the daemon", function()
    local client = fakeClient(0)
    local source = fakeSource(3, { renderError = { [2] = "The source file is missing." } })
    local report = run(client, fakeWriter(), source, { total = 3, concurrency = 2, request = request })
    assert.are.equal(2, #client.calls)
    assert.are.same({ { name = "p2", message = "Lightroom could not render this photo: The source file is missing.", code = "RENDER_FAILED" } }, report.failed)
  end)

  it("finishes a video after its render, without evaluating it or listing it", function()
    local client = fakeClient(0)
    local source = fakeSource(3, { skip = { [2] = true } })
    local report = run(client, fakeWriter(), source, { total = 3, concurrency = 1, request = request })
    assert.are.equal(2, #client.calls)
    assert.are.equal(1, report.skipped)
    -- A video is in neither list, and is settled all the same.
    assert.are.same({ "p1", "p3" }, report.evaluatedPhotos)
    assert.are.same({}, report.unevaluatedPhotos)
    assert.is_number(source.log.finished.p2)
  end)

  it("fails a photo whose evaluation could not be saved, and still reports the evaluation", function()
    local writer = fakeWriter(function(e)
      if e.item.name == "p2" then return { ok = false, message = "Lightroom's catalog stayed busy." } end
      return { ok = true, written = { rating = true }, kept = { caption = true } }
    end)
    local client = fakeClient(0)
    local report = run(client, writer, fakeSource(3), { total = 3, concurrency = 1, request = request })
    assert.are.equal(2, report.evaluated)
    assert.are.equal(2, report.written.rating)
    assert.are.equal(2, report.keptPhotos)
    assert.are.same({ { name = "p2", message = "Lightroom's catalog stayed busy.", code = "WRITE_FAILED" } }, report.failed)
    assert.are.equal(3, report.usageReported)
  end)

  it("turns a fault in the plug-in into that photo's failure, never a raw error", function()
    local client = fakeClient(0, function(n)
      if n == 1 then error("attempt to index a nil value") end
      return { success = true, model = "gemma3:4b", result = {} }
    end)
    local report = run(client, fakeWriter(), fakeSource(2), { total = 2, concurrency = 1, request = request })
    assert.are.equal(1, #report.failed)
    assert.are.equal("PLUGIN_ERROR", report.failed[1].code)
    assert.matches("Something went wrong inside the Junmai plug-in", report.failed[1].message, 1, true)
  end)

  it("reports usage in batches, and the rest at the end", function()
    local client = fakeClient(0)
    run(client, fakeWriter(), fakeSource(7), { total = 7, concurrency = 1, request = request, usageBatch = 3, batchSize = 1 })
    local sizes = {}
    for i, b in ipairs(client.usage) do sizes[i] = #b end
    assert.are.same({ 3, 3, 1 }, sizes)
  end)

  it("counts cache hits", function()
    local client = fakeClient(0, function(n) return { success = true, model = "gemma3:4b", cache_hit = n % 2 == 0, result = {} } end)
    local report = run(client, fakeWriter(), fakeSource(4), { total = 4, concurrency = 1, request = request })
    assert.are.equal(2, report.cacheHits)
    assert.are.equal("gemma3:4b", report.model)
  end)
end)
