--[[
"Compare AI Models on Selected Photos…" without a daemon: what is read from the catalog (and how
Lightroom lets it be read), the request body, following a run with a fake client, and the texts of
the results. compare_e2e_spec.lua runs it against the real daemon.
]]
local sdk = require "sdk"
local Ui = require "support.ui"
local Catalog = require "sdk.catalog"

local LrDialogs = sdk.import "LrDialogs"
local LrProgressScope = sdk.import "LrProgressScope"

local Comparison = require "Comparison"
local ComparisonReport = require "ComparisonReport"
local Json = require "Json"

local AI = "Junmai AI"

-- A client that answers from scripts and records every call.
local function fakeClient(script)
  local client = { calls = {} }
  local polls = 0
  local function record(name, arg)
    client.calls[#client.calls + 1] = name .. (arg and (" " .. arg) or "")
  end
  function client.comparison(_, id)
    record("GET", id)
    polls = polls + 1
    local answer = script.polls[polls] or script.polls[#script.polls]
    if answer == "fail" then return nil, { message = "The daemon is restarting.", code = "DAEMON_DOWN" } end
    return answer
  end
  function client.cancelComparison(_, id)
    record("DELETE", id)
    return { success = true, run = { id = id, status = "cancelled", progress = { done = 1, total = 4 } } }
  end
  function client.resumeComparison(_, id)
    record("RESUME", id)
    return { success = true, run = { id = id, status = "queued", progress = { done = 2, total = 4 } } }
  end
  function client.currentModel()
    record("CURRENT")
    return { success = true, current_model = script.current }
  end
  function client.switchModel(_, name)
    record("SWITCH", name)
    return { success = true, message = "Switched to " .. name .. ".", current_model = name }
  end
  function client.calibrate(_, id)
    record("CALIBRATE", id)
    return { success = true, calibrations = script.calibrations }
  end
  return client
end

local function run(status, done, model)
  return { id = "r1", status = status, current_model = model, progress = { done = done, total = 4 } }
end

local function answerOf(r)
  return { success = true, run = r, results = {}, summary = "s" }
end

local function scope()
  return LrProgressScope({ title = "spec" })
end

describe("Compare AI Models: reading the photographer's judgement", function()
  before_each(function() sdk.reset() end)

  local function catalog()
    return Catalog.new({ photos = {
      { rating = 4, pickStatus = 1, keywords = { "Places/Harbor", "Harbor", "boats", AI .. "/sunset" } },
      { rating = 0, pickStatus = -1, keywords = { "  Boats " } },
      { pickStatus = 0 },
      { isVideo = true, rating = 5 },
      { rating = 2, keywords = { AI } },
    } })
  end

  it("reads stars, flags and flat keyword names in one read gate, leaving out videos and Junmai's own keywords", function()
    local c = catalog()
    local entries, videos = Ui.call(function() return Comparison.readPhotos(c, c:getAllPhotos(), AI) end)
    assert.are.equal(1, c._reads)
    assert.are.equal(1, videos)
    local got = {}
    for i, e in ipairs(entries) do
      got[i] = { id = e.photoId, rating = e.rating, pick = e.pick, keywords = e.keywords }
    end
    local p = c:getAllPhotos()
    assert.are.same({
      { id = tostring(p[1].localIdentifier), rating = 4, pick = "pick", keywords = { "Harbor", "boats" } },
      -- 0 stars is Lightroom's "unrated": no rating is sent.
      { id = tostring(p[2].localIdentifier), pick = "reject", keywords = { "Boats" } },
      { id = tostring(p[3].localIdentifier), pick = "none", keywords = {} },
      { id = tostring(p[5].localIdentifier), rating = 2, pick = "none", keywords = {} },
    }, got)
    assert.are.equal(2, Comparison.ratedCount(entries))
  end)

  it("sends no flag at all when none of the selected photos is flagged", function()
    local c = Catalog.new({ photos = { { rating = 3 }, { rating = 5, pickStatus = 0 } } })
    local entries = Ui.call(function() return Comparison.readPhotos(c, c:getAllPhotos(), AI) end)
    assert.is_nil(entries[1].pick)
    assert.is_nil(entries[2].pick)
  end)

  it("is read from a task, as Lightroom requires of a plug-in (the shim refuses otherwise)", function()
    local c = Catalog.new({ photos = { { rating = 3 } } })
    assert.has_error(function() Comparison.readPhotos(c, c:getAllPhotos(), AI) end,
      "LrPhoto:getRawMetadata must be called from within a task (LrTasks.startAsyncTask)")
  end)

  it("reads Lightroom's stars and flags as the SDK gives them", function()
    assert.are.same({ 1, 5 }, { Comparison.starsOf(1), Comparison.starsOf(5) })
    assert.is_nil(Comparison.starsOf(nil))
    assert.is_nil(Comparison.starsOf(0))
    assert.are.same({ "pick", "reject", "none", "none" },
      { Comparison.pickOf(1), Comparison.pickOf(-1), Comparison.pickOf(0), Comparison.pickOf(nil) })
  end)
end)

describe("Compare AI Models: what is selected", function()
  before_each(function() sdk.reset() end)

  it("asks for photos when only videos (or nothing) are selected, before reaching the daemon", function()
    local LrApplication = sdk.import "LrApplication"
    LrApplication._setCatalog(Catalog.new({ photos = { { isVideo = true } } }))
    assert.are.equal("none", Ui.run(require("CompareModelsDialog").run))
    assert.are.equal("No photos to compare on.", LrDialogs._last("message").message)
    assert.are.equal(0, #sdk.import("LrHttp")._requests)
  end)

  it("refuses more photos than the daemon compares at once", function()
    local LrApplication = sdk.import "LrApplication"
    local many = {}
    for i = 1, Comparison.MAX_PHOTOS + 1 do many[i] = {} end
    LrApplication._setCatalog(Catalog.new({ photos = many }))
    assert.are.equal("too_many", Ui.run(require("CompareModelsDialog").run))
    assert.are.equal("Select at most 500 photos to compare on.", LrDialogs._last("message").message)
    assert.are.equal(0, #sdk.import("LrHttp")._requests)
  end)
end)

describe("Compare AI Models: the request", function()
  before_each(function() sdk.reset() end)

  it("sends each rendered photo by path, with only what the photographer set", function()
    local entries = {
      { photoId = "11", rating = 4, pick = "pick", keywords = { "Harbor" } },
      { photoId = "12", keywords = {} },
      { photoId = "13", rating = 1, keywords = {} },
    }
    local body = Comparison.requestBody(entries, { [1] = "/tmp/a.jpg", [3] = "/tmp/c.jpg" })
    assert.are.same({
      photos = {
        { photo_id = "11", image_path = "/tmp/a.jpg", rating = 4, pick = "pick", keywords = { "Harbor" } },
        { photo_id = "13", image_path = "/tmp/c.jpg", rating = 1 },
      },
    }, Json.decode(Json.encode(body)))
  end)

  it("keeps Windows paths intact in JSON", function()
    sdk.setPlatform("win")
    local LrPathUtils = sdk.import "LrPathUtils"
    local path = LrPathUtils.child(LrPathUtils.getStandardFilePath("temp"), "Junmai AI 1-000001\\IMG_0001.jpg")
    local text = Json.encode(Comparison.requestBody({ { photoId = "1", keywords = {} } }, { path }))
    assert.matches('"image_path":"C:\\\\Users\\\\Photographer\\\\AppData\\\\Local\\\\Temp\\\\Junmai AI 1-000001\\\\IMG_0001.jpg"', text, 1, true)
    assert.are.equal(path, Json.decode(text).photos[1].image_path)
  end)

  it("names the models only when asked to", function()
    local body = Comparison.requestBody({ { photoId = "1", keywords = {} } }, { "/a.jpg" }, { "gemma3:4b" })
    assert.are.same({ "gemma3:4b" }, body.models)
    assert.is_nil(Comparison.requestBody({ { photoId = "1", keywords = {} } }, { "/a.jpg" }).models)
  end)
end)

describe("Compare AI Models: following a run", function()
  before_each(function() sdk.reset() end)

  local function watch(client, s)
    local sleeps = 0
    local watched = Comparison.watch({ client = client, scope = s, sleep = function() sleeps = sleeps + 1 end }, run("queued", 0))
    return watched, sleeps
  end

  it("polls until the run ends, showing progress by model", function()
    local final = answerOf(run("completed", 4))
    local client = fakeClient({ polls = { answerOf(run("running", 1, "gemma3:4b")), answerOf(run("running", 3, "llava:7b")), final } })
    local s = scope()
    local watched, sleeps = watch(client, s)
    assert.are.equal("completed", watched.outcome)
    assert.are.equal(final, watched.answer)
    assert.are.equal(3, sleeps)
    assert.are.same({ "GET r1", "GET r1", "GET r1" }, client.calls)
    assert.are.same({ 0, 0.25, 0.75, 1 }, s.portions)
    assert.are.same({
      "Waiting for the daemon to start the comparison\226\128\166",
      "gemma3:4b: 1 of 4 photo evaluations",
      "llava:7b: 3 of 4 photo evaluations",
      "4 of 4 photo evaluations",
    }, s.captions)
  end)

  it("cancels the run in the daemon when the progress bar is cancelled", function()
    local client = fakeClient({ polls = { answerOf(run("running", 1, "gemma3:4b")) } })
    local s = scope()
    local n = 0
    local watched = Comparison.watch({ client = client, scope = s, sleep = function()
      n = n + 1
      if n == 2 then s:cancel() end
    end }, run("queued", 0))
    assert.are.equal("cancelled_here", watched.outcome)
    assert.are.equal("cancelled", watched.run.status)
    assert.are.same({ "GET r1", "DELETE r1" }, client.calls)
  end)

  it("resumes a run the daemon's restart interrupted, while the renders are still there", function()
    local client = fakeClient({ polls = { "fail", answerOf(run("interrupted", 2)), answerOf(run("completed", 4)) } })
    local watched = watch(client, scope())
    assert.are.equal("completed", watched.outcome)
    assert.are.same({ "GET r1", "GET r1", "RESUME r1", "GET r1" }, client.calls)
  end)

  it("gives up after failed polls in a row, with the daemon's sentence", function()
    local client = fakeClient({ polls = { "fail" } })
    local watched, sleeps = watch(client, scope())
    assert.are.equal("lost", watched.outcome)
    assert.are.equal(Comparison.MAX_FAILURES, sleeps)
    local message, info, style = ComparisonReport.endMessage(watched)
    assert.are.same({ "Junmai lost track of the comparison.", "The daemon is restarting.", "warning" }, { message, info, style })
  end)

  it("reports a failed run with the daemon's own sentence", function()
    local failed = run("failed", 2)
    failed.error = { code = "OLLAMA_UNAVAILABLE", message = "Ollama is not running." }
    local client = fakeClient({ polls = { answerOf(failed) } })
    local watched = watch(client, scope())
    assert.are.equal("failed", watched.outcome)
    local message, info, style = ComparisonReport.endMessage(watched)
    assert.are.same({ "The comparison failed.", "Ollama is not running.", "critical" }, { message, info, style })
  end)
end)

describe("Compare AI Models: the results", function()
  before_each(function() sdk.reset() end)

  local faithful = {
    model = "gemma3:4b", rank = 1, status = "done", photos_done = 12, reasons = {},
    rating = { photos = 12, spearman = 1, interval_90 = { low = 0.934, high = 1 } },
    flags = { photos = 12, kappa = 0.8765 }, keywords = { photos = 12, recall = 0.5, jaccard = 0.33 },
    speed = { warm_p50_seconds = 2.44, loads = 1 },
  }
  local skipped = {
    model = "llava:7b", status = "skipped", photos_done = 0, reasons = {},
    error = { code = "MODEL_NOT_INSTALLED", message = "llava:7b is not installed." },
    rating = { photos = 0 }, flags = { photos = 0 }, keywords = { photos = 0 }, speed = { loads = 0 },
  }
  local answer = {
    run = { id = "r1", status = "completed", models = { "gemma3:4b", "llava:7b" }, photo_count = 12 },
    results = { faithful, skipped }, summary = "Use gemma3:4b.", sample_note = "Too few photos.",
  }

  it("makes one row per model, best first, with its figures", function()
    assert.are.same({
      { "1", "gemma3:4b", "1.00 (0.93 to 1.00) on 12", "0.88", "50%", "2.4 s", "1" },
      { "\226\128\147", "llava:7b", "skipped", "\226\128\147", "\226\128\147", "\226\128\147", "0" },
    }, ComparisonReport.rows(answer))
    assert.are.same({ "Use gemma3:4b.", "Too few photos.", "llava:7b: llava:7b is not installed." }, ComparisonReport.notes(answer))
    assert.are.equal("2 models compared on 12 of your photos.", ComparisonReport.heading(answer))
    assert.are.equal(faithful, Comparison.best(answer))
    assert.is_nil(Comparison.best({ results = { skipped } }))
  end)

  it("says whether calibration helped, from the daemon's figures", function()
    local helped = { model = "gemma3:4b", applied = true, photos = 12, before = { spearman = 0.9, mae = 1 }, after = { spearman = 0.9, mae = 0.25 }, reason = "Applied." }
    local message, info = ComparisonReport.calibrationVerdict({ helped }, "gemma3:4b")
    assert.are.equal("Calibration helps: gemma3:4b now rates in your stars.", message)
    assert.are.equal("On photos it was not fitted on, its stars were 1.00 from yours on average before and 0.25 after; \207\129 0.90 before, 0.90 after (12 photos).", info)
    local idle = { model = "gemma3:4b", applied = false, photos = 4, reason = "Only 4 photos have your stars." }
    message, info = ComparisonReport.calibrationVerdict({ idle }, "gemma3:4b")
    assert.are.equal("Calibration does not help gemma3:4b, so its ratings stay its own.", message)
    assert.are.equal("Only 4 photos have your stars.", info)
  end)

  it("switches to the best model and calibrates it, then says what happened in one message", function()
    local CompareModelsDialog = require "CompareModelsDialog"
    local client = fakeClient({ current = "llava:7b", calibrations = {
      { model = "gemma3:4b", applied = false, photos = 12, before = { spearman = 1, mae = 0 }, after = { spearman = 1, mae = 0 }, reason = "Not applied: it does not help enough." },
    } })
    assert.are.equal("switched", CompareModelsDialog.useBest(client, "r1", faithful, true))
    assert.are.same({ "CURRENT", "SWITCH gemma3:4b", "CALIBRATE r1" }, client.calls)
    local shown = LrDialogs._last("message")
    assert.are.equal("Now using gemma3:4b.", shown.message)
    assert.are.equal("Switched to gemma3:4b. Calibration does not help gemma3:4b, so its ratings stay its own. "
      .. "Not applied: it does not help enough.", shown.info)
  end)

  it("offers nothing to switch to when no model could be ranked, and names the photos that did not render", function()
    local CompareModelsDialog = require "CompareModelsDialog"
    local client = fakeClient({})
    local shown
    LrDialogs._respond(function(d)
      shown = d
      return "ok"
    end)
    local unranked = { run = answer.run, results = { skipped }, summary = "No model could be ranked." }
    assert.are.equal("closed", Ui.call(function()
      return require("sdk.LrFunctionContext").callWithContext("spec", function(context)
        return CompareModelsDialog.showResults(context, client, unranked, { "A.NEF", "B.NEF" })
      end)
    end))
    assert.are.same({ "OK", "< exclude >" }, { shown.actionVerb, shown.cancelVerb })
    assert.matches("Left out because Lightroom could not render them: A.NEF, B.NEF.", Ui.text(shown.contents), 1, true)
    assert.are.same({}, client.calls)
  end)

  it("does not switch to the model already in use, nor calibrate unless asked", function()
    local CompareModelsDialog = require "CompareModelsDialog"
    local client = fakeClient({ current = "gemma3:4b" })
    assert.are.equal("switched", CompareModelsDialog.useBest(client, "r1", faithful, false))
    assert.are.same({ "CURRENT" }, client.calls)
    assert.are.equal("gemma3:4b is the model in use already.", LrDialogs._last("message").info)
  end)
end)
