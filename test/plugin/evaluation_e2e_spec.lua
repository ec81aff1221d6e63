--[[
Photo evaluation end to end: the export filter and Evaluate Selected Photos, through the SDK
shim (a strict fake catalog, fake export renditions that write real small JPEGs), against a real
daemon and the Ollama emulator (test/support/serve-with-emulator.ts, so Ollama can fail on
cue). Scenarios build on each other, in order, on one daemon; after each, the photos carry
exactly the writes that succeeded and the daemon's statistics count what happened.
]]
local sdk = require "sdk"
local socket = require "socket"
local Daemon = require "support.daemon"
local FilterContext = require "support.export"
local Session = require "support.session"
local Ui = require "support.ui"
local Catalog = require "sdk.catalog"

local LrApplication = sdk.import "LrApplication"
local LrDialogs = sdk.import "LrDialogs"
local LrExportSession = sdk.import "LrExportSession"
local LrFileUtils = sdk.import "LrFileUtils"
local LrFunctionContext = sdk.import "LrFunctionContext"
local LrHttp = sdk.import "LrHttp"
local LrPathUtils = sdk.import "LrPathUtils"
local LrPrefs = sdk.import "LrPrefs"
local LrProgressScope = sdk.import "LrProgressScope"
local LrTasks = sdk.import "LrTasks"

local MODEL = "gemma3:4b"

describe("photo evaluation with a running daemon", function()
  local daemon, client, folder
  local provider, EvaluateSelected, Json

  setup(function()
    daemon = Daemon.startWithEmulator({ installed = "gemma3:4b,llama3.1:8b" })
    EvaluateSelected = require "EvaluateSelected"
    Json = require "Json"
    provider = dofile(sdk.pluginPath .. "/EvaluationFilterProvider.lua")
  end)

  teardown(function()
    if daemon then daemon.stop() end
  end)

  before_each(function()
    client = Session.connect(daemon.url)
    folder = Session.tempFolder()
  end)

  after_each(function()
    Session.removeFolder(folder)
  end)

  local function call(fn) return Ui.call(fn) end

  local function stats(model)
    local answer = assert(call(function() return client:statistics(model or MODEL) end))
    return answer.statistics[model or MODEL] or { count = 0, successes = 0, failures = 0, caller_faults = 0, cache_hits = 0 }
  end


  local function evaluateBodies()
    local out = {}
    for _, r in ipairs(Session.requests("/api/evaluate")) do out[#out + 1] = Json.decode(r.body) end
    return out
  end

  -- The rating in the last evaluation answer.
  local function evaluatedRating()
    local list = Session.requests("/api/evaluate")
    return Json.decode(list[#list].response).result.rating
  end

  local function usageRecords()
    local out = {}
    for _, r in ipairs(Session.requests("/api/model/usage")) do
      assert.are.equal(200, r.status)
      for _, rec in ipairs(Json.decode(r.body)) do out[#out + 1] = rec end
    end
    return out
  end

  -- Exports `photos` with our filter: settings are the export's (and our section's) settings.
  local function export(photos, settings, onRender)
    local ctx = FilterContext.new({ photos = photos, settings = settings or {}, folder = folder, onRender = onRender })
    Ui.run(function(context) provider.postProcessRenderedPhotos(context, ctx) end, { timeout = 30 })
    return ctx
  end

  -- Every rendition marked done once its render was waited for, and no mark wasted.
  local function assertExported(ctx)
    for i, mark in ipairs(ctx._marks()) do
      assert.are.same({ ok = true }, mark, "rendition " .. i)
    end
    assert.are.same({}, ctx._late())
    assert.are.same({}, ctx._markedUnwaited)
    assert.are.same({}, ctx._unwaited())
  end

  -- The photos in "Junmai: not evaluated", by their place in `photos`.
  local function notEvaluated(catalog, photos)
    local c = catalog:_collection("Junmai: not evaluated")
    if not c then return nil end
    local out = {}
    for _, p in ipairs(c:getPhotos()) do
      for i, q in ipairs(photos) do if p == q then out[#out + 1] = i end end
    end
    table.sort(out)
    return out
  end

  local function newCatalog(specs)
    local catalog = Catalog.new({ photos = specs })
    LrApplication._setCatalog(catalog)
    return catalog, catalog:getAllPhotos()
  end

  local BIG_JPEG = { LR_format = "JPEG", LR_size_doConstrain = true, LR_size_resizeType = "longEdge", LR_size_maxWidth = 2048, LR_size_maxHeight = 2048, LR_size_units = "pixels" }
  local SMALL_JPEG = { LR_format = "JPEG", LR_size_doConstrain = true, LR_size_resizeType = "longEdge", LR_size_maxWidth = 1024, LR_size_maxHeight = 1024, LR_size_units = "pixels" }

  local function with(base, extra)
    local t = {}
    for k, v in pairs(base) do t[k] = v end
    for k, v in pairs(extra or {}) do t[k] = v end
    return t
  end

  it("needs a vision model chosen first", function()
    local answer = call(function() return client:switchModel(MODEL) end)
    assert.are.equal(MODEL, answer.current_model)
  end)

  describe("the export filter", function()
    it("has a section with what to write, replacing, the image size and the cache", function()
      local LrBinding = sdk.import "LrBinding"
      local LrView = sdk.import "LrView"
      local props = LrBinding.makePropertyTable()
      local section = provider.sectionForFilterInDialog(LrView.osFactory(), props)
      assert.are.equal("Junmai AI Evaluation", section.title)
      local titles = {}
      for _, node in ipairs(LrView._findAll(section, { _type = "checkbox" })) do titles[#titles + 1] = LrView._get(node, "title") end
      assert.are.same({ "Rating (stars)", "Pick / reject flag", "Keywords (new ones under “Junmai AI”)", "Caption", "Title",
        "Only suggest: keep the answers for review", "Replace values already set", "Use cached results" }, titles)
      -- Stacked and wrapped, it fits the export dialog's width.
      assert.is_true(LrView._width(section) <= 520, "the section is " .. LrView._width(section) .. " px wide")
      local popup = Ui.find(section, { _type = "popup_menu" })
      assert.are.equal(1024, LrView._get(popup, "value"))
      assert.are.equal("Writes rating, pick/reject, keywords, caption, title where not set yet", props.junmai_synopsis)
      LrView._set(Ui.find(section, function(n) return n._type == "checkbox" and LrView._get(n, "title") == "Title" end), false)
      assert.are.equal("Writes rating, pick/reject, keywords, caption where not set yet", props.junmai_synopsis)
      assert.are.equal(10, #provider.exportPresetFields)
      -- An export writes to the photos unless told to only suggest; Evaluate Selected only suggests.
      assert.is_false(props.junmai_suggestOnly)
      assert.are.equal("prefer", props.junmai_keywordPolicy)
    end)

    it("shows an old preset's image size as the nearest size in its list, not blank", function()
      local LrBinding = sdk.import "LrBinding"
      local LrView = sdk.import "LrView"
      local props = LrBinding.makePropertyTable()
      props.junmai_longEdge = 1000
      local section = provider.sectionForFilterInDialog(LrView.osFactory(), props)
      local popup = Ui.find(section, { _type = "popup_menu" })
      assert.are.equal("1024 px", LrView._popupTitle(popup))
      assert.are.equal(1024, props.junmai_longEdge)
      props.junmai_longEdge = 4000
      section = provider.sectionForFilterInDialog(LrView.osFactory(), props)
      assert.are.equal("2048 px", LrView._popupTitle(Ui.find(section, { _type = "popup_menu" })))
    end)

    it("evaluates every photo and writes the answers, keeping what the photographer set", function()
      local before = stats()
      local _, photos = newCatalog({
        { fileName = "DSC_0001.NEF" },
        { fileName = "DSC_0002.NEF", rating = 3, caption = "Grandma's garden", keywords = { "travel" } },
        { fileName = "CLIP_0003.MOV", isVideo = true },
        { fileName = "DSC_0004.NEF", pickStatus = -1 },
        { fileName = "DSC_0001.NEF", copyName = "Copy 1" },
      })
      local ctx = export(photos, BIG_JPEG)

      -- Every rendition marked once, by the filter, as done.
      assertExported(ctx)
      -- The export renders larger than 1024 px: Junmai rendered its own JPEGs, renaming the same-named copy.
      assert.are.equal(1, #LrExportSession._sessions)
      local session = LrExportSession._sessions[1]
      local own = session.exportSettings
      assert.are.same({ "JPEG", "longEdge", 1024, 1024, "rename", "specificFolder" },
        { own.LR_format, own.LR_size_resizeType, own.LR_size_maxWidth, own.LR_size_maxHeight, own.LR_collisionHandling, own.LR_export_destinationType })
      assert.are.equal(4, #session.photosToExport)
      local bodies = evaluateBodies()
      assert.are.equal(4, #bodies)
      local paths = {}
      for i, b in ipairs(bodies) do
        assert.are.equal(session._rendered[i], b.image_path)
        paths[b.image_path] = true
        assert.are.same({ "rating", "flag", "keywords", "caption", "title" }, b.fields)
        assert.are.same({ keyword_policy = "prefer" }, b.options)
        -- The catalog's keywords, read once for the run, go with every photo.
        assert.are.same({ { name = "travel" } }, b.vocabulary)
      end
      assert.are.same({ tostring(photos[1].localIdentifier), tostring(photos[2].localIdentifier), tostring(photos[4].localIdentifier), tostring(photos[5].localIdentifier) },
        { bodies[1].photo_id, bodies[2].photo_id, bodies[3].photo_id, bodies[4].photo_id })
      local count = 0
      for _ in pairs(paths) do count = count + 1 end
      assert.are.equal(4, count)
      -- Nothing of Junmai's own renders is left.
      assert.is_false(LrFileUtils.exists(own.LR_export_destinationPathPrefix))

      -- Photo 1: everything written, keywords under "Junmai AI".
      local p1 = photos[1]
      local rating = p1:getRawMetadata("rating")
      assert.is_true(rating >= 1 and rating <= 5)
      local keys = {}
      for _, c in ipairs(p1:_callsOf("setRawMetadata")) do keys[#keys + 1] = c.key end
      local expected = { "rating", "caption", "title" }
      if p1:getRawMetadata("pickStatus") ~= 0 then expected = { "rating", "pickStatus", "caption", "title" } end
      assert.are.same(expected, keys)
      assert.is_true(#p1:getFormattedMetadata("caption") > 0)
      assert.is_true(#p1:getFormattedMetadata("title") > 0)
      assert.is_true(#p1:_keywordPaths() >= 1)
      for _, path in ipairs(p1:_keywordPaths()) do assert.matches("^Junmai AI/", path) end
      -- Photo 2: its rating, caption and own keyword stay.
      local p2 = photos[2]
      assert.are.equal(3, p2:getRawMetadata("rating"))
      assert.are.equal("Grandma's garden", p2:getFormattedMetadata("caption"))
      assert.are.same({}, (function()
        local bad = {}
        for _, c in ipairs(p2:_callsOf("setRawMetadata")) do
          if c.key == "rating" or c.key == "caption" then bad[#bad + 1] = c.key end
        end
        return bad
      end)())
      local hasTravel = false
      for _, path in ipairs(p2:_keywordPaths()) do if path == "travel" then hasTravel = true end end
      assert.is_true(hasTravel)
      -- The video: untouched. Photo 4: its reject stays.
      assert.are.same({}, photos[3]._calls)
      assert.are.equal(-1, photos[4]:getRawMetadata("pickStatus"))
      for _, c in ipairs(photos[4]:_callsOf("setRawMetadata")) do assert.are_not.equal("pickStatus", c.key) end

      -- One bezel, and usage with the plug-in's own times, filled into the daemon's rows.
      local bezel = LrDialogs._last("bezel")
      assert.matches("^Junmai evaluated 4 photos%. Written: ratings on 3 photos", bezel.message)
      assert.matches("Videos are not evaluated: 1 skipped.", bezel.message, 1, true)
      assert.is_nil(LrDialogs._last("message"))
      local records = usageRecords()
      assert.are.equal(4, #records)
      for _, r in ipairs(records) do
        assert.are.equal(MODEL, r.model)
        assert.is_true(r.success)
        assert.is_true(r.client_ms >= 0)
      end
      local after = stats()
      assert.are.equal(before.count + 4, after.count)
      assert.are.equal(before.successes + 4, after.successes)
      assert.is_number(after.mean_client_ms)
    end)

    it("sends the export's own file when it is a JPEG within the long edge, and uses the cache", function()
      local before = stats()
      local _, photos = newCatalog({ { jpeg = "same-1" }, { jpeg = "same-2" } })
      local ctx = export(photos, SMALL_JPEG)
      assert.are.equal(0, #LrExportSession._sessions)
      local bodies = evaluateBodies()
      assert.are.equal(ctx.renditionsToSatisfy[1].destinationPath, bodies[1].image_path)
      assert.are.equal(ctx.renditionsToSatisfy[2].destinationPath, bodies[2].image_path)
      local mid = stats()
      assert.are.equal(before.count + 2, mid.count)

      -- The same images again: answered from the daemon's cache; with the cache off, by the model.
      sdk.reset()
      LrPrefs.prefsForPlugin().daemonUrl = daemon.url
      local _, again = newCatalog({ { jpeg = "same-1" }, { jpeg = "same-2" } })
      export(again, SMALL_JPEG)
      local cached = stats()
      assert.are.equal(mid.cache_hits + 2, cached.cache_hits)
      assert.is_true(again[1]:getRawMetadata("rating") >= 1)

      sdk.reset()
      LrPrefs.prefsForPlugin().daemonUrl = daemon.url
      local _, third = newCatalog({ { jpeg = "same-1" } })
      export(third, with(SMALL_JPEG, { junmai_useCache = false }))
      assert.are.same({ cache = false, keyword_policy = "prefer" }, evaluateBodies()[1].options)
      assert.are.equal(cached.cache_hits, stats().cache_hits)
    end)

    it("goes on when Ollama fails one photo halfway, and names it at the end", function()
      local before = stats()
      -- One photo at a time, so that the fault set at photo 4's render hits photo 4.
      LrPrefs.prefsForPlugin().evaluationsInFlight = 1
      local catalog, photos = newCatalog({ {}, {}, {}, { fileName = "DSC_0404.NEF" }, {}, {} })
      local ctx = export(photos, SMALL_JPEG, function(i)
        if i == 4 then
          daemon.control({ fault = { route = "chat", fault = { kind = "status", status = 500, error = "model runner has unexpectedly stopped", times = 1 } } })
        end
      end)
      -- The export itself went well: every photo was rendered and its file is there.
      assertExported(ctx)
      assert.are.same({ 4 }, notEvaluated(catalog, photos))
      assert.are.same({}, photos[4]._calls)
      for i = 1, 6 do
        if i ~= 4 then assert.is_true(#photos[i]:_callsOf("setRawMetadata") > 0) end
      end
      local shown = LrDialogs._last("message")
      assert.are.equal("Junmai could not evaluate 1 photo.", shown.message)
      assert.are.equal("warning", shown.style)
      assert.matches("^5 photos evaluated, 1 photo could not be:\nDSC_0404.NEF: [^\n]+", shown.info)
      assert.matches("The photos not evaluated are in the collection “Junmai: not evaluated”.", shown.info, 1, true)
      local after = stats()
      assert.are.equal(before.count + 6, after.count)
      assert.are.equal(before.successes + 5, after.successes)
      assert.are.equal(before.failures + 1, after.failures)
      -- The failure's row got the plug-in's time too, instead of a second row.
      assert.are.equal(6, #usageRecords())
    end)

    it("names a photo the model could not describe, and writes the others", function()
      daemon.control({ malformedMarker = "junmai-malformed" })
      local before = stats()
      local catalog, photos = newCatalog({ { jpeg = "fine-a" }, { fileName = "ODD.JPG", jpeg = "junmai-malformed photo" }, { jpeg = "fine-b" } })
      local ctx = export(photos, SMALL_JPEG)
      daemon.control({ malformedMarker = Json.null })
      assertExported(ctx)
      assert.are.same({}, photos[2]._calls)
      local shown = LrDialogs._last("message")
      assert.matches("ODD.JPG: " .. MODEL .. " did not give a usable evaluation in 2 attempts", shown.info, 1, true)
      assert.are.same({ 2 }, notEvaluated(catalog, photos))
      local after = stats()
      assert.are.equal(before.failures + 1, after.failures)
      assert.are.equal(before.successes + 2, after.successes)
    end)

    it("stops when cancelled halfway: the photos done are written, the rest left alone", function()
      local before = stats()
      local catalog, photos = newCatalog({ {}, {}, {}, {}, {} })
      local ctx = export(photos, SMALL_JPEG, function(i)
        if i == 3 then LrProgressScope._scopes[#LrProgressScope._scopes]:cancel() end
      end)
      -- Cancelling the evaluation does not fail the export: every render is waited for and done.
      assertExported(ctx)
      for i = 3, 5 do assert.are.same({}, photos[i]._calls) end
      assert.are.same({ 3, 4, 5 }, notEvaluated(catalog, photos))
      assert.are.equal(2, #evaluateBodies())
      local shown = LrDialogs._last("message")
      assert.are.equal("Evaluation cancelled.", shown.message)
      assert.matches("^2 photos evaluated and written; 3 photos left as they were%.", shown.info)
      assert.is_true(LrProgressScope._scopes[#LrProgressScope._scopes].finished)
      assert.are.equal(before.count + 2, stats().count)
    end)

    it("keeps one photo in flight on Windows, unless the Plug-in Manager says otherwise", function()
      sdk.setPlatform("win")
      local _, photos = newCatalog({ { jpeg = "win-1" }, { jpeg = "win-2" }, { jpeg = "win-3" } })
      local ctx = export(photos, SMALL_JPEG)
      assertExported(ctx)
      local LrLogger = sdk.import "LrLogger"
      local function inFlight()
        for i = #LrLogger._lines, 1, -1 do
          local n = string.match(LrLogger._lines[i].text, "^evaluation of %d+ photos, (%d+) in flight")
          if n then return tonumber(n) end
        end
      end
      assert.are.equal(1, inFlight())
      LrPrefs.prefsForPlugin().evaluationsInFlight = 3
      export(photos, SMALL_JPEG)
      assert.are.equal(3, inFlight())
    end)

    it("goes on through a daemon that drops idle connections, retrying the requests that were lost", function()
      local proxy = Daemon.dropIdleProxy(daemon.url)
      finally(function() proxy.stop() end)
      LrPrefs.prefsForPlugin().daemonUrl = proxy.url
      local catalog, photos = newCatalog({ { jpeg = "idle-1" }, { jpeg = "idle-2" }, { jpeg = "idle-3" }, { jpeg = "idle-4" } })
      -- Each render takes longer than the proxy keeps an idle connection.
      local ctx = export(photos, SMALL_JPEG, function() socket.sleep(0.1) end)
      assertExported(ctx)
      for i = 1, 4 do assert.is_true(photos[i]:getRawMetadata("rating") >= 1, "photo " .. i) end
      assert.is_nil(LrDialogs._last("message"))
      assert.matches("^Junmai evaluated 4 photos%.", LrDialogs._last("bezel").message)
      assert.is_nil(notEvaluated(catalog, photos))
      -- Requests did go out on connections the daemon had dropped, and were lost there.
      local lost = 0
      for _, r in ipairs(LrHttp._requests) do
        if r.reused and r.error then lost = lost + 1 end
      end
      assert.is_true(lost >= 1)
      assert.is_true(proxy.dropped() >= 4)
    end)

    it("stops with one message when Ollama goes away halfway, keeping what was written", function()
      local before = stats()
      -- One photo at a time, so that photo 2 is written before photo 3 finds Ollama gone.
      LrPrefs.prefsForPlugin().evaluationsInFlight = 1
      local catalog, photos = newCatalog({ {}, {}, {}, {}, {} })
      local ctx = export(photos, SMALL_JPEG, function(i)
        if i == 3 then daemon.control({ ollama = "stop" }) end
      end)
      daemon.control({ ollama = "start" })
      assertExported(ctx)
      for i = 3, 5 do assert.are.same({}, photos[i]._calls) end
      assert.are.same({ 3, 4, 5 }, notEvaluated(catalog, photos))
      -- Photo 3 was the one that found Ollama gone; 4 and 5 were never sent.
      assert.are.equal(3, #evaluateBodies())
      local shown = LrDialogs._all("message")
      assert.are.equal(1, #shown)
      assert.are.equal("Junmai stopped evaluating photos.", shown[1].message)
      assert.matches("2 photos evaluated before it stopped, 3 photos not evaluated.", shown[1].info, 1, true)
      local after = stats()
      assert.are.equal(before.successes + 2, after.successes)
      -- Ollama going away is recorded, but not held against the model.
      assert.are.equal(before.failures, after.failures)
      assert.are.equal(before.caller_faults + 1, after.caller_faults)
    end)

    it("stops at once, with one message, when the model cannot see", function()
      call(function() return client:switchModel("llama3.1:8b") end)
      local before = stats("llama3.1:8b")
      local catalog, photos = newCatalog({ {}, {}, {} })
      local ctx = export(photos, SMALL_JPEG)
      call(function() return client:switchModel(MODEL) end)
      -- At most the two photos in flight (the default) were sent — one alone when the refusal came back before the
      -- second render was done — and the third never was.
      local sent = #evaluateBodies()
      assert.is_true(sent == 1 or sent == 2, "evaluate requests sent: " .. sent)
      assertExported(ctx)
      for i = 1, 3 do assert.are.same({}, photos[i]._calls) end
      assert.are.same({ 1, 2, 3 }, notEvaluated(catalog, photos))
      local shown = LrDialogs._all("message")
      assert.are.equal(1, #shown)
      assert.are.equal("Junmai stopped evaluating photos.", shown[1].message)
      assert.are.equal("critical", shown[1].style)
      assert.matches("^llama3.1:8b cannot look at images", shown[1].info)
      assert.matches("0 photos evaluated before it stopped, 3 photos not evaluated.", shown[1].info, 1, true)
      assert.matches("The photos not evaluated are in the collection “Junmai: not evaluated”.", shown[1].info, 1, true)
      -- Refused before any photo was looked at: no usage row, and none reported.
      assert.are.equal(before.count, stats("llama3.1:8b").count)
      assert.are.equal(0, #Session.requests("/api/model/usage"))
    end)

    it("fails every rendition with one message when the daemon is not there", function()
      local prefs = LrPrefs.prefsForPlugin()
      prefs.daemonUrl = "http://127.0.0.1:" .. Daemon.freePort()
      prefs.autoStartDaemon = false
      local catalog, photos = newCatalog({ {}, {} })
      local ctx = export(photos, SMALL_JPEG)
      -- The export's renders are its own: each is waited for and done, though none was evaluated.
      assertExported(ctx)
      local shown = LrDialogs._all("message")
      assert.are.equal(1, #shown)
      assert.matches("^The Junmai daemon is not running at", shown[1].info)
      assert.are.equal(0, #evaluateBodies())
      assert.are.same({ 1, 2 }, notEvaluated(catalog, photos))
    end)

    it("answers every rendition, in a sentence, when Junmai's own renders cannot be set up", function()
      local getStandardFilePath = LrPathUtils.getStandardFilePath
      LrPathUtils.getStandardFilePath = function() error("no temporary folder") end
      finally(function() LrPathUtils.getStandardFilePath = getStandardFilePath end)
      local _, photos = newCatalog({ {}, {} })
      local ctx = FilterContext.new({ photos = photos, settings = BIG_JPEG, folder = folder })
      -- As Lightroom calls it: an error escaping the filter would reach the photographer as Lua text.
      LrTasks.startAsyncTask(function()
        LrFunctionContext.callWithContext("export", function(context) provider.postProcessRenderedPhotos(context, ctx) end)
      end, "export")
      assert.is_true(sdk.runTasks({ timeout = 10 }))
      assert.are.same({}, LrTasks._errors)
      assertExported(ctx)
      local shown = LrDialogs._all("message")
      assert.are.equal(1, #shown)
      assert.are.equal("Something went wrong inside the Junmai plug-in.", shown[1].message)
      assert.are.equal(0, #evaluateBodies())
    end)

    it("does nothing, and says so, when nothing is chosen to write", function()
      local _, photos = newCatalog({ {} })
      local ctx = export(photos, with(SMALL_JPEG, { junmai_writeRating = false, junmai_writeFlag = false, junmai_writeKeywords = false,
        junmai_writeCaption = false, junmai_writeTitle = false }))
      -- The export itself is fine: its rendition is done once rendered.
      assert.are.same({ ok = true }, ctx._marks()[1])
      assert.are.equal("Junmai had nothing to do.", LrDialogs._last("message").message)
      assert.are.equal(0, #LrHttp._requests)
    end)
  end)

  describe("Evaluate Selected Photos with AI…", function()
    it("renders the selection small into a temporary folder, writes the answers, and removes the files", function()
      local before = stats()
      local catalog, photos = newCatalog({
        { fileName = "A.NEF", title = "Kept title" }, { fileName = "B.NEF", isVideo = true }, { fileName = "C.NEF" }, { fileName = "D.NEF" },
      })
      catalog._targets = { photos[1], photos[2], photos[3] }
      LrPrefs.prefsForPlugin().junmai_suggestOnly = false
      local dialog
      LrDialogs._respond(function(shown)
        dialog = shown
        return "ok"
      end)
      assert.are.equal("done", Ui.run(EvaluateSelected.run, { timeout = 30 }))
      assert.are.equal("Evaluate 2 photos with AI", dialog.title)
      assert.are.equal("Evaluate", dialog.actionVerb)
      local session = LrExportSession._sessions[1]
      assert.are.same({ photos[1], photos[3] }, session.photosToExport)
      local s = session.exportSettings
      assert.are.same({ "specificFolder", "JPEG", "longEdge", 1024 }, { s.LR_export_destinationType, s.LR_format, s.LR_size_resizeType, s.LR_size_maxWidth })
      assert.matches("/Junmai AI [%d%-]+$", s.LR_export_destinationPathPrefix)
      assert.is_false(LrFileUtils.exists(s.LR_export_destinationPathPrefix))
      for _, b in ipairs(evaluateBodies()) do assert.are.equal(s.LR_export_destinationPathPrefix, string.match(b.image_path, "^(.*)/[^/]+$")) end
      assert.are.equal("Kept title", photos[1]:getFormattedMetadata("title"))
      assert.is_true(photos[1]:getRawMetadata("rating") >= 1)
      assert.is_true(photos[3]:getRawMetadata("rating") >= 1)
      assert.are.same({}, photos[2]._calls)
      assert.are.same({}, photos[4]._calls)
      local bezel = LrDialogs._last("bezel").message
      assert.matches("^Junmai evaluated 2 photos%.", bezel)
      assert.matches("Videos are not evaluated: 1 skipped.", bezel, 1, true)
      assert.are.equal(before.count + 2, stats().count)
    end)

    it("by default only suggests: the answers go into Junmai's fields, none of the photo's own", function()
      local catalog, photos = newCatalog({ { fileName = "A.NEF", rating = 2, keywords = { "Animals/dog" } }, { fileName = "B.NEF" } })
      LrDialogs._respond("ok")
      assert.are.equal("done", Ui.run(EvaluateSelected.run, { timeout = 30 }))
      -- The keyword tree was read once for the run, and every photo took it along, with the reasons asked for.
      assert.are.equal(1, catalog._keywordReads)
      local bodies = evaluateBodies()
      assert.are.equal(2, #bodies)
      for _, b in ipairs(bodies) do
        assert.are.same({ "rating", "flag", "keywords", "caption", "title", "reasons" }, b.fields)
        assert.are.same({ { name = "Animals" }, { name = "dog" } }, b.vocabulary)
      end
      local list = Session.requests("/api/evaluate")
      for i, photo in ipairs(photos) do
        local answer = Json.decode(list[i].response)
        for _, c in ipairs(photo._calls) do assert.are.equal("setPropertyForPlugin", c.op) end
        local props = photo:_properties()
        assert.are.equal(tostring(answer.result.rating), props.aiRating)
        assert.are.equal(answer.result.flag, props.aiFlag)
        assert.are.equal(answer.result.caption, props.aiCaption)
        assert.are.equal(answer.model, props.aiModel)
        assert.matches("^%d%d%d%d%d%d%d%d%-%d%d%d%d%d%d$", props.aiRun)
      end
      assert.are.equal(2, photos[1]:getRawMetadata("rating"))
      assert.are.same({ "Animals/dog" }, photos[1]:_keywordPaths())
      assert.is_nil(photos[2]:getRawMetadata("rating"))
      -- No run to record: nothing of the photos' own was written.
      assert.are.equal(0, #Session.requests("/api/runs"))
      assert.matches("Suggestions kept on 2 photos, nothing else changed.", LrDialogs._last("bezel").message, 1, true)
    end)

    it("after a cancel, skips the renders it no longer needs and removes its folder once the renders are over", function()
      local catalog, photos = newCatalog({ {}, {}, {}, {}, {} })
      photos[2]._onRender = function() LrProgressScope._scopes[#LrProgressScope._scopes]:cancel() end
      LrPrefs.prefsForPlugin().junmai_suggestOnly = false
      LrDialogs._respond("ok")
      assert.are.equal("done", Ui.run(EvaluateSelected.run, { timeout = 30 }))
      local session = LrExportSession._sessions[1]
      local renders = session.exportSettings.LR_export_destinationPathPrefix
      -- Whatever Lightroom still had to render is over before the folder went.
      assert.are.equal(0, session:_unsettled())
      LrExportSession._finishRenders()
      assert.is_false(LrFileUtils.exists(renders))
      for i = 3, 5 do assert.is_true(session._renditions[i].wasSkipped, "rendition " .. i) end
      assert.are.equal("Evaluation cancelled.", LrDialogs._last("message").message)
      assert.are.same({ 2, 3, 4, 5 }, notEvaluated(catalog, photos))
      assert.is_true(photos[1]:getRawMetadata("rating") >= 1)
    end)

    it("remembers the choices made in its dialog", function()
      local _, photos = newCatalog({ { rating = 1 } })
      local LrView = sdk.import "LrView"
      LrPrefs.prefsForPlugin().junmai_suggestOnly = false
      LrDialogs._respond(function(shown)
        LrView._attach(shown.contents)
        local overwrite = Ui.find(shown.contents, function(n) return n._type == "checkbox" and string.find(tostring(LrView._get(n, "title")), "^Replace") end)
        LrView._set(overwrite, true)
        LrView._set(Ui.find(shown.contents, { _type = "popup_menu" }), 512)
        return "ok"
      end)
      Ui.run(EvaluateSelected.run, { timeout = 30 })
      local prefs = LrPrefs.prefsForPlugin()
      assert.is_true(prefs.junmai_overwrite)
      assert.are.equal(512, prefs.junmai_longEdge)
      assert.are.equal(512, LrExportSession._sessions[1].exportSettings.LR_size_maxWidth)
      -- Replacing: the rating is the model's now, whatever the photo had.
      assert.are.equal(evaluatedRating(), photos[1]:getRawMetadata("rating"))
    end)

    it("changes nothing when its dialog is cancelled, or nothing is selected", function()
      local catalog = newCatalog({ {} })
      assert.are.equal("cancelled", Ui.run(EvaluateSelected.run))
      assert.are.equal(0, #LrExportSession._sessions)
      catalog._targets = {}
      assert.are.equal("none", Ui.run(EvaluateSelected.run))
      assert.are.equal("No photos to evaluate.", LrDialogs._last("message").message)
      assert.are.equal(0, #LrHttp._requests)
    end)
  end)
end)
