--[[
Suggestions, review, undo and the photographer's vocabulary end to end: the plug-in through the
SDK shim (a strict fake catalog that records every write) against a real daemon and the Ollama
emulator (test/support/serve-with-emulator.ts), whose model answers what each spec tells it
("answer"). What the daemon recorded is read back over its own REST API (GET /api/runs/<id>).
Scenarios build on each other, in order, on one daemon.
]]
local sdk = require "sdk"
local Daemon = require "support.daemon"
local FilterContext = require "support.export"
local Session = require "support.session"
local Ui = require "support.ui"
local Catalog = require "sdk.catalog"

local LrApplication = sdk.import "LrApplication"
local LrDialogs = sdk.import "LrDialogs"
local LrPrefs = sdk.import "LrPrefs"

local MODEL = "gemma3:4b"

-- What the model answers for every photo: "dog" and "puppy" are the catalog's "Dogs" (plural,
-- synonym), "surfboard" is new.
local ANSWER = {
  rating = 5, flag = "pick", keywords = { "dog", "puppy", "surfboard" },
  caption = "A dog riding a wave.", title = "Surf dog", reasons = { "Sharp and well timed." },
}

describe("reviewing and undoing AI changes with a running daemon", function()
  local daemon, client, folder
  local provider, EvaluateSelected, ReviewDialog, UndoRunDialog, Json

  setup(function()
    daemon = Daemon.startWithEmulator({ installed = MODEL })
    EvaluateSelected = require "EvaluateSelected"
    ReviewDialog = require "ReviewDialog"
    UndoRunDialog = require "UndoRunDialog"
    Json = require "Json"
    provider = dofile(sdk.pluginPath .. "/EvaluationFilterProvider.lua")
    daemon.control({ answer = ANSWER })
  end)

  teardown(function()
    if daemon then daemon.stop() end
  end)

  before_each(function()
    -- Each spec's answer is the model's, not one remembered from an earlier spec.
    client = Session.connect(daemon.url, { junmai_useCache = false })
    folder = Session.tempFolder()
  end)

  after_each(function()
    Session.removeFolder(folder)
  end)

  local function call(fn) return Ui.call(fn) end


  -- The catalog: "Animals > Dogs" (synonym "puppy") on the first photo, which also has a rating
  -- and a caption of the photographer's; a second photo with nothing.
  local function newCatalog()
    local catalog = Catalog.new({
      photos = {
        { fileName = "A.NEF", rating = 2, caption = "Mine", keywords = { "Animals/Dogs" }, jpeg = "trust A" },
        { fileName = "B.NEF", pickStatus = -1, jpeg = "trust B" },
      },
      synonyms = { Dogs = { "puppy" } },
    })
    LrApplication._setCatalog(catalog)
    catalog._targets = catalog:getAllPhotos()
    return catalog, catalog:getAllPhotos()
  end

  -- A run as the daemon holds it: {run, changes = {["<photo id> <field>"] = change}}.
  local function runInDaemon(id)
    local answer = assert(call(function() return client:getRun(id) end))
    local changes = {}
    for _, c in ipairs(answer.changes) do changes[c.photo_id .. " " .. c.field] = c end
    return answer.run, changes, #answer.changes
  end

  local function newestRun()
    local answer = assert(call(function() return client:listRuns(1) end))
    return answer.runs[1]
  end

  local function idOf(photo) return tostring(photo.localIdentifier) end

  -- The values the daemon recorded of one change (nulls decode as nil).
  local function values(c)
    return { before = c.before, after = c.after, added = c.keywords_added, created = c.keywords_created }
  end

  it("needs a vision model chosen first", function()
    local answer = call(function() return client:switchModel(MODEL) end)
    assert.are.equal(MODEL, answer.current_model)
  end)

  local catalog, photos, reviewRun

  it("only suggests: the answers go into Junmai's fields, the catalog's keywords mapped by the daemon", function()
    catalog, photos = newCatalog()
    LrDialogs._respond("ok")
    assert.are.equal("done", Ui.run(EvaluateSelected.run, { timeout = 30 }))
    -- The catalog's keywords went along, with their synonyms; Junmai's own parent is not among them.
    local bodies = Session.requests("/api/evaluate")
    assert.are.equal(2, #bodies)
    for _, r in ipairs(bodies) do
      assert.are.same({ { name = "Animals" }, { name = "Dogs", synonyms = { "puppy" } } }, Json.decode(r.body).vocabulary)
      -- The daemon mapped "dog" and "puppy" onto "Dogs", spelled as the catalog spells it.
      local result = Json.decode(r.response).result
      assert.are.same({ "Dogs", "surfboard" }, result.keywords)
      assert.are.same({ "surfboard" }, result.keywords_new)
    end
    for _, photo in ipairs(photos) do
      for _, c in ipairs(photo._calls) do assert.are.equal("setPropertyForPlugin", c.op) end
      local props = photo:_properties()
      assert.are.same({ "5", "pick", "Dogs, surfboard", "A dog riding a wave.", "Surf dog", MODEL },
        { props.aiRating, props.aiFlag, props.aiKeywords, props.aiCaption, props.aiTitle, props.aiModel })
    end
    -- Nothing of the photos' own changed, and no keyword was made.
    assert.are.equal(2, photos[1]:getRawMetadata("rating"))
    assert.are.equal(-1, photos[2]:getRawMetadata("pickStatus"))
    assert.are.same({}, catalog._created)
    assert.are.equal(0, #Session.requests("/api/runs"))
  end)

  -- The catalog of the spec before, open again in Lightroom (sdk.reset closed it).
  local function reopen()
    LrApplication._setCatalog(catalog)
    catalog._targets = photos
  end

  it("applies the reviewed suggestions and the daemon holds every change, before and after", function()
    reopen()
    LrDialogs._respond("ok")
    local report
    assert.are.equal("done", Ui.run(function(ctx)
      local outcome
      outcome, report = ReviewDialog.review(ctx)
      return outcome
    end))
    assert.are.equal(2, report.applied)
    assert.are.equal(0, report.unrecorded)
    -- The existing "Dogs" was reused where it is; only "surfboard" is new, under "Junmai AI".
    assert.are.same({ "Animals/Dogs", "Junmai AI/surfboard" }, photos[1]:_keywordPaths())
    assert.are.same({ "Animals/Dogs", "Junmai AI/surfboard" }, photos[2]:_keywordPaths())
    assert.are.same({ "Junmai AI", "Junmai AI/surfboard" }, catalog._created)
    assert.are.same({}, photos[1]:_properties())

    reviewRun = report.runId
    local run, changes, count = runInDaemon(reviewRun)
    assert.are.same({ kind = "apply", model = MODEL, source = "review", status = "open", photo_count = 2, change_count = 10 },
      { kind = run.kind, model = run.model, source = run.source, status = run.status, photo_count = run.photo_count, change_count = run.change_count })
    assert.are.same({ "rating", "pick", "title", "caption", "keywords" }, run.fields)
    assert.are.equal(10, count)
    local a, b = idOf(photos[1]), idOf(photos[2])
    assert.are.same({ before = 2, after = 5, added = {}, created = {} }, values(changes[a .. " rating"]))
    assert.are.same({ before = 0, after = 1, added = {}, created = {} }, values(changes[a .. " pick"]))
    assert.are.same({ before = "Mine", after = "A dog riding a wave.", added = {}, created = {} }, values(changes[a .. " caption"]))
    assert.are.same({ after = "Surf dog", added = {}, created = {} }, values(changes[a .. " title"]))
    assert.are.same({ before = { "Animals|Dogs" }, after = { "Animals|Dogs", "Junmai AI|surfboard" },
      added = { "Junmai AI|surfboard" }, created = { "Junmai AI|surfboard" } }, values(changes[a .. " keywords"]))
    assert.are.same({ after = 5, added = {}, created = {} }, values(changes[b .. " rating"]))
    assert.are.same({ before = -1, after = 1, added = {}, created = {} }, values(changes[b .. " pick"]))
    assert.are.same({ before = {}, after = { "Animals|Dogs", "Junmai AI|surfboard" },
      added = { "Animals|Dogs", "Junmai AI|surfboard" }, created = {} }, values(changes[b .. " keywords"]))
  end)

  it("undoes the run, leaving a field edited by hand since, and the daemon says which and why", function()
    reopen()
    Ui.call(function()
      catalog:withWriteAccessDo("by hand", function() photos[1]:setRawMetadata("caption", "My own words") end)
    end)
    LrDialogs._respond("ok")
    local report
    assert.are.equal("done", Ui.run(function(ctx)
      local outcome
      outcome, report = UndoRunDialog.run(ctx)
      return outcome
    end))
    assert.are.equal(reviewRun, report.run.id)
    -- Back as they were, but for the caption changed by hand; the run's keywords are off the photos.
    assert.are.equal(2, photos[1]:getRawMetadata("rating"))
    assert.are.equal(0, photos[1]:getRawMetadata("pickStatus"))
    assert.are.equal("My own words", photos[1]:getFormattedMetadata("caption"))
    assert.are.equal("", photos[1]:getFormattedMetadata("title"))
    assert.are.same({ "Animals/Dogs" }, photos[1]:_keywordPaths())
    assert.is_nil(photos[2]:getRawMetadata("rating"))
    assert.are.equal(-1, photos[2]:getRawMetadata("pickStatus"))
    assert.are.same({}, photos[2]:_keywordPaths())
    assert.are.equal(9, report.restored)
    assert.are.same({ { name = "A.NEF", field = "caption", reason = "edited_since" } }, report.left)
    assert.are.same({ "Junmai AI|surfboard" }, report.unusedKeywords)

    local run, changes = runInDaemon(reviewRun)
    assert.are.equal("partly_undone", run.status)
    assert.are.same({ restored = 9, left = 1 }, run.undo)
    local caption = changes[idOf(photos[1]) .. " caption"]
    assert.are.same({ "left", "edited_since" }, { caption.undo, caption.undo_reason })
    for key, c in pairs(changes) do
      if c ~= caption then assert.are.equal("restored", c.undo, key) end
    end
    -- Undone once, the run is not offered again.
    assert.are.equal("none", Ui.run(function(ctx) return UndoRunDialog.run(ctx) end))
  end)

  it("says what was suggested, not written, when a run that only suggests is cancelled", function()
    local _, fresh = newCatalog()
    local LrProgressScope = sdk.import "LrProgressScope"
    fresh[2]._onRender = function() LrProgressScope._scopes[#LrProgressScope._scopes]:cancel() end
    LrDialogs._respond("ok")
    assert.are.equal("done", Ui.run(EvaluateSelected.run, { timeout = 30 }))
    local message = LrDialogs._last("message")
    assert.are.equal("Evaluation cancelled.", message.message)
    assert.matches("^1 photo evaluated, with suggestions kept; 1 photo not evaluated%.\nSuggestions kept on 1 photo, nothing else changed%.", message.info)
    assert.are.equal("5", fresh[1]:_properties().aiRating)
    assert.are.equal(2, fresh[1]:getRawMetadata("rating"))
    assert.are.same({}, fresh[2]:_properties())
  end)

  it("records a run when Evaluate Selected writes straight to the photos, reusing the catalog's keyword", function()
    local _, fresh = newCatalog()
    LrPrefs.prefsForPlugin().junmai_suggestOnly = false
    LrDialogs._respond("ok")
    assert.are.equal("done", Ui.run(EvaluateSelected.run, { timeout = 30 }))
    -- Not replacing: the photographer's rating and caption stay; the rest is the model's.
    assert.are.equal(2, fresh[1]:getRawMetadata("rating"))
    assert.are.equal("Mine", fresh[1]:getFormattedMetadata("caption"))
    assert.are.same({ "Animals/Dogs", "Junmai AI/surfboard" }, fresh[1]:_keywordPaths())
    local run = newestRun()
    assert.are_not.equal(reviewRun, run.id)
    assert.are.same({ "evaluate", MODEL, "selected", "open", 2 }, { run.kind, run.model, run.source, run.status, run.photo_count })
    local _, changes = runInDaemon(run.id)
    local a, b = idOf(fresh[1]), idOf(fresh[2])
    assert.is_nil(changes[a .. " rating"])
    assert.is_nil(changes[a .. " caption"])
    assert.are.same({ after = "Surf dog", added = {}, created = {} }, values(changes[a .. " title"]))
    assert.are.same({ after = 5, added = {}, created = {} }, values(changes[b .. " rating"]))
    assert.are.same({ before = {}, after = { "Animals|Dogs", "Junmai AI|surfboard" },
      added = { "Animals|Dogs", "Junmai AI|surfboard" }, created = {} }, values(changes[b .. " keywords"]))
  end)

  it("records a run when an export writes to the photos; an undo cancelled halfway leaves the rest, not_reported", function()
    local exportCatalog, fresh = newCatalog()
    local ctx = FilterContext.new({ photos = fresh, folder = folder, settings = {
      LR_format = "JPEG", LR_size_doConstrain = true, LR_size_resizeType = "longEdge", LR_size_maxWidth = 1024,
      LR_size_maxHeight = 1024, LR_size_units = "pixels", junmai_useCache = false,
    } })
    Ui.run(function(context) provider.postProcessRenderedPhotos(context, ctx) end, { timeout = 30 })
    assert.are.equal(5, fresh[2]:getRawMetadata("rating"))
    local run = newestRun()
    assert.are.same({ "evaluate", "export", 2 }, { run.kind, run.source, run.photo_count })
    local _, changes = runInDaemon(run.id)
    assert.are.same({ after = 5, added = {}, created = {} }, values(changes[idOf(fresh[2]) .. " rating"]))

    -- Undo one photo per catalog write, and cancel once the first is done.
    local UndoRun = require "UndoRun"
    local LrProgressScope = sdk.import "LrProgressScope"
    local batchSize, write = UndoRun.BATCH_SIZE, exportCatalog.withWriteAccessDo
    UndoRun.BATCH_SIZE = 1
    exportCatalog.withWriteAccessDo = function(self, ...)
      local status = write(self, ...)
      LrProgressScope._scopes[#LrProgressScope._scopes]:cancel()
      return status
    end
    LrDialogs._respond("ok")
    local ok, outcome = pcall(Ui.run, function(context) return UndoRunDialog.run(context) end)
    UndoRun.BATCH_SIZE, exportCatalog.withWriteAccessDo = batchSize, nil
    assert.is_true(ok, outcome)
    assert.are.equal("done", outcome)
    assert.matches("Cancelled: the photos not reached keep the run's values", LrDialogs._last("message").info, 1, true)
    -- The first photo went back; the second keeps the export's values.
    assert.are.same({ "Animals/Dogs" }, fresh[1]:_keywordPaths())
    assert.are.equal(5, fresh[2]:getRawMetadata("rating"))
    local undone, after = runInDaemon(run.id)
    assert.are.equal("partly_undone", undone.status)
    for key, c in pairs(after) do
      if c.photo_id == idOf(fresh[1]) then
        assert.are.same({ "restored" }, { c.undo, c.undo_reason }, key)
      else
        assert.are.same({ "left", "not_reported" }, { c.undo, c.undo_reason }, key)
      end
    end
  end)
end)
