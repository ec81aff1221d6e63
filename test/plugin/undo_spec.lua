-- Undoing an AI run: fields restored only where they still hold the run's value, keywords the
-- run added taken off, keywords it created and nobody uses named for Lightroom's purge.
local sdk = require "sdk"
local Catalog = require "sdk.catalog"
local FakeRuns = require "support.fakeruns"
local Ui = require "support.ui"
local EvaluationOptions = require "EvaluationOptions"
local MetadataWriter = require "MetadataWriter"
local Review = require "Review"
local RunRecorder = require "RunRecorder"
local Suggestions = require "Suggestions"
local UndoRun = require "UndoRun"
local UndoRunDialog = require "UndoRunDialog"
local Vocabulary = require "Vocabulary"

local LrTasks = sdk.import "LrTasks"
local LrApplication = sdk.import "LrApplication"
local LrDialogs = sdk.import "LrDialogs"
local LrView = sdk.import "LrView"

local inTask = require("support.tasks").run

local function nameOf(photo) return photo:getFormattedMetadata("fileName") end

-- Changes a photo as the photographer would, after the run.
local function byHand(catalog, fn)
  inTask(function() catalog:withWriteAccessDo("by hand", fn) end)
end

describe("Undo AI Run", function()
  local catalog, p, runs

  before_each(function()
    sdk.reset()
    catalog = Catalog.new({ photos = {
      { fileName = "A.NEF", rating = 2, caption = "Mine", keywords = { "Animals/dog" } },
      { fileName = "B.NEF", pickStatus = -1 },
    } })
    p = catalog:getAllPhotos()
    runs = FakeRuns.new()
  end)

  -- Applies suggestions from a review, everything accepted; returns the run's id.
  local function applied()
    inTask(function()
      catalog:withWriteAccessDo("spec", function()
        Suggestions.store(p[1], { aiRating = "5", aiFlag = "pick", aiKeywords = "dog, surfboard", aiCaption = "A dog surfing.", aiModel = "gemma3:4b" })
        Suggestions.store(p[2], { aiRating = "3", aiFlag = "pick", aiKeywords = "wave", aiModel = "gemma3:4b" })
      end)
    end)
    local rows = inTask(function() return Review.rows(catalog, p, nameOf) end)
    local props = {}
    Review.defaults(props, rows)
    local report = inTask(function()
      return Review.apply({ catalog = catalog, client = runs, pcall = LrTasks.pcall, nameOf = nameOf,
        vocabulary = Vocabulary.read(catalog, "Junmai AI") }, Review.decisions(props, rows))
    end)
    assert.are.equal(2, report.applied)
    return report.runId
  end

  local function undo(id)
    return inTask(function()
      return UndoRun.undo({ catalog = catalog, client = runs, pcall = LrTasks.pcall, nameOf = nameOf }, id)
    end)
  end

  it("puts every field back and takes the run's keywords off, naming the keywords it created for Lightroom's purge", function()
    local id = applied()
    assert.are.equal(5, p[1]:getRawMetadata("rating"))
    assert.are.same({ "Animals/dog", "Junmai AI/surfboard" }, p[1]:_keywordPaths())
    local report = undo(id)
    assert.are.equal(2, p[1]:getRawMetadata("rating"))
    assert.are.equal(0, p[1]:getRawMetadata("pickStatus"))
    assert.are.equal("Mine", p[1]:getFormattedMetadata("caption"))
    assert.are.same({ "Animals/dog" }, p[1]:_keywordPaths())
    assert.is_nil(p[2]:getRawMetadata("rating"))
    assert.are.equal(-1, p[2]:getRawMetadata("pickStatus"))
    assert.are.same({}, p[2]:_keywordPaths())
    assert.are.equal(7, report.restored)
    assert.are.same({}, report.left)
    -- A plug-in cannot delete a keyword: the ones nobody uses now are named, still in the catalog.
    assert.are.same({ "Junmai AI|surfboard", "Junmai AI|wave" }, report.unusedKeywords)
    assert.is_not_nil(catalog:_keywordAt("Junmai AI/surfboard"))
    -- The daemon got one outcome per change, and marks the run undone.
    local outcomes = runs:callsOf("undoRun")[1].body.outcomes
    assert.are.equal(7, #outcomes)
    for _, o in ipairs(outcomes) do assert.are.equal("restored", o.outcome) end
    assert.are.equal("undone", report.run.status)
  end)

  it("leaves a field edited by hand since the run, and reports it", function()
    local id = applied()
    byHand(catalog, function()
      p[1]:setRawMetadata("rating", 1)
      p[2]:setRawMetadata("pickStatus", 0)
    end)
    local report = undo(id)
    assert.are.equal(1, p[1]:getRawMetadata("rating"))
    assert.are.equal(0, p[2]:getRawMetadata("pickStatus"))
    -- The rest went back.
    assert.are.equal("Mine", p[1]:getFormattedMetadata("caption"))
    assert.is_nil(p[2]:getRawMetadata("rating"))
    assert.are.same({ { name = "A.NEF", field = "rating", reason = "edited_since" }, { name = "B.NEF", field = "pick", reason = "edited_since" } }, report.left)
    assert.are.equal(5, report.restored)
    local left = {}
    for _, o in ipairs(runs:callsOf("undoRun")[1].body.outcomes) do
      if o.outcome == "left" then left[#left + 1] = o.field .. ":" .. o.reason end
    end
    assert.are.same({ "rating:edited_since", "pick:edited_since" }, left)
    assert.are.equal("partly_undone", report.run.status)
  end)

  it("does not name a created keyword the photographer has put on another photo since", function()
    local id = applied()
    byHand(catalog, function() p[2]:addKeyword(catalog:_keywordAt("Junmai AI/surfboard")) end)
    local report = undo(id)
    assert.are.same({ "Junmai AI|wave" }, report.unusedKeywords)
    assert.are.same({ "Junmai AI/surfboard" }, p[2]:_keywordPaths())
  end)

  it("leaves the changes of a photo no longer in the catalog", function()
    local id = applied()
    table.remove(catalog._photos, 2)
    local report = undo(id)
    assert.are.equal(4, report.restored)
    assert.are.equal(3, #report.left)
    assert.are.equal("photo_missing", report.left[1].reason)
  end)

  it("undoes a direct write of an evaluation, putting back keywords it replaced", function()
    catalog = Catalog.new({ photos = { { fileName = "C.NEF", rating = 3, keywords = { "travel", "Junmai AI/cat" } } } })
    p = catalog:getAllPhotos()
    local recorder = RunRecorder.new({ client = runs, kind = "evaluate", source = "export" })
    local writer = MetadataWriter.new({ catalog = catalog, options = EvaluationOptions.read({ junmai_overwrite = true, junmai_suggestOnly = false }),
      pcall = LrTasks.pcall, recorder = recorder })
    inTask(function()
      return writer:write({ { photo = p[1], model = "gemma3:4b", result = { rating = 5, flag = "reject", keywords = { "dog" }, caption = "A dog.", title = "Dog" } } })
    end)
    assert.are.same({ "Junmai AI/dog", "travel" }, p[1]:_keywordPaths())
    assert.are.same({ kind = "evaluate", model = "gemma3:4b", source = "export" }, runs:callsOf("createRun")[1].body)
    assert.are.equal(5, #runs:callsOf("addRunChanges")[1].body.changes)
    local report = undo(recorder.id)
    assert.are.equal(5, report.restored)
    assert.are.equal(3, p[1]:getRawMetadata("rating"))
    assert.are.equal(0, p[1]:getRawMetadata("pickStatus"))
    assert.are.equal("", p[1]:getFormattedMetadata("caption"))
    assert.are.same({ "Junmai AI/cat", "travel" }, p[1]:_keywordPaths())
    assert.are.same({ "Junmai AI|dog" }, report.unusedKeywords)
  end)

  it("answers the daemon's refusal of a run undone already, changing no photo", function()
    local id = applied()
    undo(id)
    local calls = { #p[1]._calls, #p[2]._calls }
    local report, err = undo(id)
    assert.is_nil(report)
    assert.are.equal("RUN_ALREADY_UNDONE", err.code)
    assert.are.same(calls, { #p[1]._calls, #p[2]._calls })
  end)

  it("says a run cut short by a cancel or a busy catalog stays as it is, as the daemon takes one undo per run", function()
    local _, info = UndoRunDialog.summary({ restored = 3, left = {}, unusedKeywords = {}, cancelled = true })
    assert.are.equal("Cancelled: the photos not reached keep the run's values; a run is undone only once.", info)
    _, info = UndoRunDialog.summary({ restored = 0, left = {}, unusedKeywords = {}, busy = true })
    assert.are.equal("Lightroom's catalog stayed busy (another plug-in or a sync was writing): the photos not reached keep the run's values; a run is undone only once.", info)
  end)

  describe("in its dialog", function()
    before_each(function() LrApplication._setCatalog(catalog) end)
    local function connected() return { status = "ok" } end

    it("lists the recent runs, undoes the one chosen and tells to purge the keywords it cannot delete", function()
      local first = applied()
      byHand(catalog, function() p[1]:setRawMetadata("caption", "Edited") end)
      local shown
      LrDialogs._respond(function(dialog)
        shown = dialog
        return "ok"
      end)
      local report
      local outcome = Ui.run(function(ctx)
        local o
        o, report = UndoRunDialog.run(ctx, { client = runs, connect = connected })
        return o
      end)
      assert.are.equal("done", outcome)
      LrView._attach(shown.contents)
      local popup = Ui.find(shown.contents, { _type = "popup_menu" })
      assert.are.equal(first, LrView._get(popup, "value"))
      assert.are.same({ "2026-11-30 20:01, gemma3:4b, 2 photos: rating, flag, caption, keywords" }, (function()
        local t = {}
        for _, item in ipairs(popup.items) do t[#t + 1] = item.title end
        return t
      end)())
      assert.are.equal(6, report.restored)
      local message = LrDialogs._last("message")
      assert.are.equal("Restored 6 changes; left 1.", message.message)
      assert.are.equal(table.concat({
        "Left as they are (1):",
        "A.NEF, caption: changed by hand since the run",
        "Keywords this run created that no photo uses now: Junmai AI > surfboard, Junmai AI > wave.",
        "Lightroom does not let a plug-in delete keywords. To remove them, choose Metadata \226\128\186 Purge Unused Keywords in the Library.",
      }, "\n"), message.info)
      assert.are.equal("warning", message.style)

      -- Partly undone, the run is no longer offered: the daemon takes one undo per run.
      assert.are.equal("partly_undone", runs.runs[first].status)
      assert.are.equal("none", Ui.run(function(ctx) return UndoRunDialog.run(ctx, { client = runs, connect = connected }) end))
      assert.are.equal("No AI run to undo.", LrDialogs._last("message").message)
    end)

    it("says what it restored when the daemon then refuses to record the undo", function()
      local id = applied()
      local undoRun = runs.undoRun
      runs.undoRun = function(self) self.down = true return undoRun(self) end
      LrDialogs._respond("ok")
      assert.are.equal("failed", Ui.run(function(ctx) return UndoRunDialog.run(ctx, { client = runs, connect = connected }) end))
      assert.are.equal(2, p[1]:getRawMetadata("rating"))
      local message = LrDialogs._last("message")
      assert.are.equal("Restored 7 changes; left 0.", message.message)
      assert.matches("The daemon did not record this undo (The Junmai daemon is not running.", message.info, 1, true)
      assert.are.equal("open", runs.runs[id].status)
    end)

    it("says why when the daemon cannot be reached", function()
      runs.down = true
      assert.are.equal("failed", Ui.run(function(ctx) return UndoRunDialog.run(ctx, { client = runs, connect = connected }) end))
      local message = LrDialogs._last("message")
      assert.are.equal("Junmai could not undo the run.", message.message)
    end)
  end)
end)
