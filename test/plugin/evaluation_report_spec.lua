-- What a run says at its end (EvaluationReport) and how many photos it keeps in flight (Evaluator).
local sdk = require "sdk"
local Catalog = require "sdk.catalog"
local EvaluationOptions = require "EvaluationOptions"
local EvaluationReport = require "EvaluationReport"
local Evaluator = require "Evaluator"

local LrDialogs = sdk.import "LrDialogs"
local LrPrefs = sdk.import "LrPrefs"
local LrTasks = sdk.import "LrTasks"

local function report(fields)
  local r = { total = 0, evaluated = 0, failed = {}, skipped = 0, notEvaluated = 0, written = {}, keptPhotos = 0 }
  for k, v in pairs(fields) do r[k] = v end
  return r
end

describe("EvaluationReport", function()
  it("says what was written in a bezel when every photo went well", function()
    local s = EvaluationReport.summary(report({ evaluated = 3, written = { rating = 3, keywords = 2 }, keptPhotos = 1 }))
    assert.are.same({ kind = "bezel", message = "Junmai evaluated 3 photos. Written: ratings on 3 photos, keywords on 2 photos. Values already set were kept on 1 photo." }, s)
    s = EvaluationReport.summary(report({ evaluated = 1 }))
    assert.are.equal("Junmai evaluated 1 photo. Nothing needed changing.", s.message)
  end)

  it("names each photo that failed with its reason, up to ten, and counts the rest", function()
    local failed = {}
    for i = 1, 12 do failed[i] = { name = "IMG_" .. i .. ".CR3", message = "Ollama failed on this photo." } end
    local s = EvaluationReport.summary(report({ evaluated = 5, failed = failed, written = { rating = 5 } }))
    assert.are.equal("message", s.kind)
    assert.are.equal("warning", s.style)
    assert.are.equal("Junmai could not evaluate 12 photos.", s.message)
    local lines = {}
    for line in string.gmatch(s.info, "[^\n]+") do lines[#lines + 1] = line end
    assert.are.equal("5 photos evaluated, 12 photos could not be:", lines[1])
    assert.are.equal("IMG_1.CR3: Ollama failed on this photo.", lines[2])
    assert.are.equal("IMG_10.CR3: Ollama failed on this photo.", lines[11])
    assert.are.equal("…and 2 more; Junmai.log has them all.", lines[12])
    assert.are.equal("Written: ratings on 5 photos.", lines[13])
  end)

  it("puts a stop's reason first, with what was and was not done", function()
    local s = EvaluationReport.summary(report({ evaluated = 2, notEvaluated = 8, written = { title = 2 },
      stopped = { code = "OLLAMA_UNREACHABLE", message = "Ollama is not reachable at http://127.0.0.1:11434. Start Ollama (or check OLLAMA_HOST) and try again." } }))
    assert.are.equal("Junmai stopped evaluating photos.", s.message)
    assert.are.equal("critical", s.style)
    assert.are.equal("Ollama is not reachable at http://127.0.0.1:11434. Start Ollama (or check OLLAMA_HOST) and try again.\n" ..
      "2 photos evaluated before it stopped, 8 photos not evaluated.\nWritten: titles on 2 photos.", s.info)
  end)

  it("adds the token hint to a stop for want of the token", function()
    local s = EvaluationReport.summary(report({ stopped = { code = "UNAUTHORIZED", message = "This request needs the Junmai access token." } }))
    assert.matches("^This request needs the Junmai access token%. Enter the access token in File › Plug%-in Manager › Junmai AutoDev%.", s.info)
  end)

  it("says what a cancel left", function()
    local s = EvaluationReport.summary(report({ cancelled = true, evaluated = 1, notEvaluated = 4, written = { rating = 1 } }))
    assert.are.same({ kind = "message", message = "Evaluation cancelled.", style = "info",
      info = "1 photo evaluated and written; 4 photos left as they were.\nWritten: ratings on 1 photo." }, s)
  end)

  it("speaks of suggestions, not of writes, when a run that only suggests is cancelled or stops", function()
    local s = EvaluationReport.summary(report({ suggestOnly = true, cancelled = true, evaluated = 2, suggested = 2, notEvaluated = 3 }))
    assert.are.equal("2 photos evaluated, with suggestions kept; 3 photos not evaluated.\n" ..
      "Suggestions kept on 2 photos, nothing else changed. To see and apply them: Library \226\128\186 Plug-in Extras \226\128\186 Review AI Suggestions\226\128\166", s.info)
    s = EvaluationReport.summary(report({ suggestOnly = true, evaluated = 1, suggested = 1, notEvaluated = 1,
      stopped = { code = "OLLAMA_UNREACHABLE", message = "Ollama is not reachable." } }))
    assert.are.equal("Ollama is not reachable.\n1 photo evaluated before it stopped, 1 photo not evaluated.\n" ..
      "Suggestions kept on 1 photo, nothing else changed. To see and apply them: Library \226\128\186 Plug-in Extras \226\128\186 Review AI Suggestions\226\128\166", s.info)
  end)
end)

describe("Evaluator", function()
  it("keeps the pref's number of photos in flight, else one more than the daemon runs at once, else 2", function()
    assert.are.equal(3, Evaluator.concurrency({ inFlight = 3 }, { evaluation = { concurrency = 4 } }))
    assert.are.equal(5, Evaluator.concurrency({}, { evaluation = { concurrency = 4 } }))
    assert.are.equal(8, Evaluator.concurrency({}, { evaluation = { concurrency = 64 } }))
    assert.are.equal(2, Evaluator.concurrency({}, { api_version = 1 }))
    assert.are.equal(2, Evaluator.concurrency(nil, nil))
  end)

  describe("run", function()
    before_each(function() sdk.reset() end)

    -- A daemon that takes a moment per photo and counts how many it has at once.
    local function slowClient()
      local c = { inFlight = 0, most = 0, calls = 0 }
      function c.evaluate()
        c.calls = c.calls + 1
        c.inFlight = c.inFlight + 1
        if c.inFlight > c.most then c.most = c.inFlight end
        LrTasks.sleep(0.05)
        c.inFlight = c.inFlight - 1
        return { success = true, model = "gemma3:4b", result = { rating = 3 } }
      end
      function c.recordUsage() return { success = true } end
      return c
    end

    local function source(photos)
      local i = 0
      return {
        next = function()
          i = i + 1
          local photo = photos[i]
          if not photo then return nil end
          local item = { photo = photo, name = "p" .. i, photoId = tostring(i) }
          function item.prepare() return "/tmp/p" .. i .. ".jpg" end
          function item.finish() end
          return item
        end,
      }
    end

    -- Runs six photos through Evaluator.run with `fields` chosen; the daemon answers `health`.
    local function run(health, fields)
      local catalog = Catalog.new({ photos = { {}, {}, {}, {}, {}, {} } })
      local client = slowClient()
      local result
      LrTasks.startAsyncTask(function()
        result = Evaluator.run({
          title = "Junmai AI Evaluation", source = source(catalog:getAllPhotos()), total = 6, skipped = 1,
          options = EvaluationOptions.read(fields or { junmai_writeKeywords = false }), catalog = catalog,
          client = client, connect = function() return health end, dialogs = LrDialogs,
        })
      end, "run")
      assert.is_true(sdk.runTasks({ timeout = 10 }))
      assert.are.same({}, LrTasks._errors)
      return result, client
    end

    it("keeps the Plug-in Manager's number of photos in flight, else one more than the daemon's slots", function()
      local result, client = run({ evaluation = { concurrency = 2 } })
      assert.are.equal(3, client.most)
      assert.are.equal(6, result.evaluated)
      LrPrefs.prefsForPlugin().evaluationsInFlight = 1
      result, client = run({ evaluation = { concurrency = 2 } })
      assert.are.equal(1, client.most)
      assert.are.equal(6, result.evaluated)
    end)

    it("counts the photos left out beforehand (videos) as skipped", function()
      local result = run({ evaluation = { concurrency = 1 } })
      assert.are.equal(1, result.skipped)
      assert.matches("Videos are not evaluated: 1 skipped.", LrDialogs._last("bezel").message, 1, true)
    end)

    it("asks the daemon nothing when nothing is chosen to write, and says so", function()
      local result, client = run(nil, { junmai_writeRating = false, junmai_writeFlag = false, junmai_writeKeywords = false,
        junmai_writeCaption = false, junmai_writeTitle = false })
      assert.is_true(result.nothingChosen)
      assert.are.equal(0, client.calls)
      assert.are.equal(6, result.notEvaluated)
      local shown = LrDialogs._last("message")
      assert.are.equal("Junmai had nothing to do.", shown.message)
      assert.matches("^Nothing was chosen to write", shown.info)
    end)
  end)
end)
