--[[
"Compare AI Models on Selected Photos…" end to end: a fake catalog whose photos carry the
photographer's stars, flags and keywords, Junmai's own small renders (the export-session shim
writes real JPEGs), and a real daemon with the Ollama emulator. The emulator's eyes (test/emulator/
eyes.ts) make a model's answer depend on the image: gemma3:4b sees what the photographer sees,
llava:7b the opposite, so which model agrees is measured, not chance.
]]
local sdk = require "sdk"
local Daemon = require "support.daemon"
local Session = require "support.session"
local Ui = require "support.ui"
local Catalog = require "sdk.catalog"
local jpeg = require "sdk.jpeg"
local shellQuote = require("support.shell").quote

local LrApplication = sdk.import "LrApplication"
local LrDialogs = sdk.import "LrDialogs"
local LrExportSession = sdk.import "LrExportSession"
local LrFileUtils = sdk.import "LrFileUtils"
local LrHttp = sdk.import "LrHttp"
local LrProgressScope = sdk.import "LrProgressScope"
local LrTasks = sdk.import "LrTasks"
local LrView = sdk.import "LrView"

local FAITHFUL = "gemma3:4b"
local CONTRARIAN = "llava:7b"
local PHOTOS = 12
local PICK_STATUS = { pick = 1, reject = -1, none = 0 }

-- What the emulator's eyes see in the JPEG each comment makes (the renders carry the same bytes).
local function perceive(comments)
  local dir = os.tmpname()
  os.remove(dir)
  assert(os.execute("mkdir -p " .. shellQuote(dir)) == 0)
  local files = {}
  for i, comment in ipairs(comments) do files[i] = shellQuote(jpeg.write(dir .. "/" .. i .. ".jpg", comment)) end
  local pipe = assert(io.popen("cd " .. shellQuote(sdk.root) .. " && node --import tsx test/plugin/support/perceive.ts " .. table.concat(files, " ")))
  local Json = require "Json"
  local out = {}
  for line in pipe:lines() do out[#out + 1] = assert(Json.decode(line)) end
  pipe:close()
  os.execute("rm -rf " .. shellQuote(dir))
  assert(#out == #comments, "perceive.ts answered " .. #out .. " of " .. #comments)
  return out
end

describe("Compare AI Models on Selected Photos with a running daemon", function()
  local daemon, client, seen, comments
  local CompareModelsDialog, Json

  setup(function()
    daemon = Daemon.startWithEmulator({ installed = FAITHFUL .. "," .. CONTRARIAN })
    daemon.control({ eyes = { [FAITHFUL] = {}, [CONTRARIAN] = { invert = true } } })
    CompareModelsDialog = require "CompareModelsDialog"
    Json = require "Json"
    comments = {}
    for i = 1, PHOTOS do comments[i] = "compare " .. i end
    seen = perceive(comments)
  end)

  teardown(function()
    if daemon then daemon.stop() end
  end)

  before_each(function()
    client = Session.connect(daemon.url)
    assert(Ui.call(function() return client:switchModel(CONTRARIAN) end))
  end)

  -- The selection: each photo judged as the faithful model sees it, keywords typed the photographer's way; one video.
  local function judgedCatalog()
    local photos = {}
    for i, s in ipairs(seen) do
      local keywords = {}
      for _, subject in ipairs(s.subjects) do keywords[#keywords + 1] = "Subjects/" .. string.upper(string.sub(subject, 1, 1)) .. string.sub(subject, 2) .. "s" end
      keywords[#keywords + 1] = "Junmai AI/unrelated"
      photos[i] = { fileName = "IMG_" .. i .. ".NEF", jpeg = comments[i], rating = s.quality, pickStatus = PICK_STATUS[s.flag], keywords = keywords }
    end
    photos[#photos + 1] = { fileName = "CLIP.MOV", isVideo = true, rating = 5 }
    local catalog = Catalog.new({ photos = photos })
    LrApplication._setCatalog(catalog)
    return catalog
  end

  -- Requests of `method` whose path is `path` (or starts with it, when it ends in "/").
  local function requests(method, path)
    local out = {}
    for _, r in ipairs(LrHttp._requests) do
      local p = string.match(r.url, "^http://[^/]+(/[^?]*)")
      local hit = p == path or (string.sub(path, -1) == "/" and string.sub(p, 1, #path) == path)
      if r.method == method and hit then out[#out + 1] = r end
    end
    return out
  end

  local function latestRun()
    local list = assert(Ui.call(function() return client:get("/api/compare?limit=1") end))
    return assert(Ui.call(function() return client:comparison(list.runs[1].id) end))
  end

  local function assertRendersGone()
    local session = LrExportSession._sessions[1]
    local folder = session.exportSettings.LR_export_destinationPathPrefix
    assert.are.equal(0, session:_unsettled())
    assert.is_false(LrFileUtils.exists(folder))
    return session
  end

  it("sends the photos with their stars, ranks the model that sees like the photographer first, and switches to it", function()
    local catalog = judgedCatalog()
    local photos = catalog:getAllPhotos()
    local question, results
    LrDialogs._respond(function(shown)
      question = shown
      return "ok"
    end)
    LrDialogs._respond(function(shown)
      results = shown
      return "ok"
    end)
    assert.are.equal("switched", Ui.run(CompareModelsDialog.run, { timeout = 120 }))
    assert.are.equal("Compare AI models on 12 photos?", question.message)
    assert.matches("^12 of them have your stars%.", question.info)

    -- What went in: every photo but the video, by path to its small render, with the photographer's judgement.
    local session = assertRendersGone()
    local s = session.exportSettings
    assert.are.same({ "JPEG", "longEdge", 1024, 1024 }, { s.LR_format, s.LR_size_resizeType, s.LR_size_maxWidth, s.LR_size_maxHeight })
    local posted = requests("POST", "/api/compare")
    assert.are.equal(1, #posted)
    local body = Json.decode(posted[1].body)
    assert.is_nil(body.models)
    assert.are.equal(PHOTOS, #body.photos)
    for i, p in ipairs(body.photos) do
      assert.are.equal(tostring(photos[i].localIdentifier), p.photo_id)
      assert.are.equal(s.LR_export_destinationPathPrefix .. "/IMG_" .. i .. ".jpg", p.image_path)
      assert.are.equal(seen[i].quality, p.rating)
      assert.are.equal(seen[i].flag, p.pick)
      assert.are.equal(2, #p.keywords)
    end

    -- The run completed; the table shows the faithful model first.
    local answer = latestRun()
    assert.are.equal("completed", answer.run.status)
    assert.are.same({ FAITHFUL, CONTRARIAN }, { answer.results[1].model, answer.results[2].model })
    LrView._attach(results.contents)
    local rows = LrView._findAll(results.contents, { _type = "row" })
    local function cells(row)
      local out = {}
      for _, t in ipairs(LrView._findAll(row, { _type = "static_text" })) do out[#out + 1] = LrView._get(t, "title") end
      return out
    end
    assert.are.equal("Rank", cells(rows[1])[1])
    assert.are.same({ "1", FAITHFUL, "1.00 (1.00 to 1.00) on 12" }, { cells(rows[2])[1], cells(rows[2])[2], cells(rows[2])[3] })
    assert.are.same({ "2", CONTRARIAN, "-1.00 (-1.00 to -1.00) on 12" }, { cells(rows[3])[1], cells(rows[3])[2], cells(rows[3])[3] })
    -- Flags and flat keyword names went in as the photographer set them: the faithful model agrees on both.
    assert.are.same({ "1.00", "100%" }, { cells(rows[2])[4], cells(rows[2])[5] })
    assert.are.same({ "1", "1" }, { cells(rows[2])[7], cells(rows[3])[7] })
    assert.matches(answer.summary, Ui.text(results.contents), 1, true)
    assert.are.equal("Use " .. FAITHFUL, results.actionVerb)

    -- Switching changed the daemon's model; calibration was asked for and its verdict told.
    local current = assert(Ui.call(function() return client:currentModel() end))
    assert.are.equal(FAITHFUL, current.current_model)
    assert.are.equal(1, #requests("POST", "/api/compare/" .. answer.run.id .. "/calibrate"))
    local told = LrDialogs._last("message")
    assert.are.equal("Now using " .. FAITHFUL .. ".", told.message)
    assert.matches("Calibration does not help " .. FAITHFUL .. ", so its ratings stay its own.", told.info, 1, true)
  end)

  it("calibrates the best model when its stars run one high, and says that it helped", function()
    daemon.control({ eyes = { [FAITHFUL] = { shift = 1 }, [CONTRARIAN] = { invert = true } } })
    finally(function() daemon.control({ eyes = { [FAITHFUL] = {}, [CONTRARIAN] = { invert = true } } }) end)
    judgedCatalog()
    LrDialogs._respond("ok")
    LrDialogs._respond("ok")
    assert.are.equal("switched", Ui.run(CompareModelsDialog.run, { timeout = 120 }))
    local told = LrDialogs._last("message")
    assert.are.equal("Now using " .. FAITHFUL .. ".", told.message)
    assert.matches("Calibration helps: " .. FAITHFUL .. " now rates in your stars. On photos it was not fitted on, its stars were ", told.info, 1, true)
    local kept = assert(Ui.call(function() return client:get("/api/calibrations") end))
    local applied
    for _, c in ipairs(kept.calibrations) do
      if c.model == FAITHFUL then applied = c.applied end
    end
    assert.is_true(applied)
    -- Later evaluations speak the photographer's scale; forget it for the scenarios after this one.
    assert(Ui.call(function() return client:delete("/api/calibrations", { model = FAITHFUL }) end))
  end)

  it("stops the run in the daemon when its progress bar is cancelled, and deletes the renders", function()
    judgedCatalog()
    daemon.control({ latencyMs = 300 })
    finally(function() daemon.control({ latencyMs = 0 }) end)
    LrDialogs._respond("ok")
    local SafeRun = require "SafeRun"
    local outcome
    SafeRun.task("spec", function(context) outcome = CompareModelsDialog.run(context) end)
    -- Polling has begun: the run is under way.
    sdk.runTasks({ timeout = 60, untilFn = function() return #requests("GET", "/api/compare/") >= 2 end })
    LrProgressScope._scopes[#LrProgressScope._scopes]:cancel()
    assert.is_true(sdk.runTasks({ timeout = 30 }))
    assert.are.same({}, LrTasks._errors)
    assert.are.equal("cancelled_here", outcome)
    local answer = latestRun()
    assert.are.equal(1, #requests("DELETE", "/api/compare/" .. answer.run.id))
    assert.are.equal("cancelled", answer.run.status)
    assert.is_true(answer.run.progress.done < answer.run.progress.total)
    local shown = LrDialogs._last("message")
    assert.are.equal("Comparison cancelled.", shown.message)
    assert.matches("^The photos the models had already looked at are kept", shown.info)
    assertRendersGone()
  end)

  it("after a cancel while Lightroom renders, sends nothing and skips the renders no longer needed", function()
    local catalog = judgedCatalog()
    local photos = catalog:getAllPhotos()
    photos[3]._onRender = function() LrProgressScope._scopes[#LrProgressScope._scopes]:cancel() end
    LrDialogs._respond("ok")
    assert.are.equal("cancelled_here", Ui.run(CompareModelsDialog.run, { timeout = 30 }))
    assert.are.equal(0, #requests("POST", "/api/compare"))
    local session = assertRendersGone()
    for i = 4, PHOTOS do assert.is_true(session._renditions[i].wasSkipped, "rendition " .. i) end
    LrExportSession._finishRenders()
    assert.is_false(LrFileUtils.exists(session.exportSettings.LR_export_destinationPathPrefix))
    assert.are.equal("It was cancelled while Lightroom rendered the photos; nothing was sent to the daemon.", LrDialogs._last("message").info)
  end)

  it("shows the daemon's own sentence when it refuses the comparison", function()
    judgedCatalog()
    LrDialogs._respond("ok")
    -- A model name the daemon does not know: the request is refused before any photo is evaluated.
    local Comparison = require "Comparison"
    local requestBody = Comparison.requestBody
    Comparison.requestBody = function(entries, paths) return requestBody(entries, paths, { "nosuch:1b" }) end
    finally(function() Comparison.requestBody = requestBody end)
    assert.are.equal("refused", Ui.run(CompareModelsDialog.run, { timeout = 60 }))
    local shown = LrDialogs._last("message")
    assert.are.equal("The daemon did not start the comparison.", shown.message)
    assert.are.equal("nosuch:1b is not downloaded yet. Download it first, or leave it out of the comparison.", shown.info)
    assertRendersGone()
  end)
end)
