-- Reviewing AI suggestions: current vs suggested, accept or reject per photo and field, apply in
-- batches (recorded as a run, in a fake daemon), discard.
local sdk = require "sdk"
local Catalog = require "sdk.catalog"
local FakeRuns = require "support.fakeruns"
local Ui = require "support.ui"
local Review = require "Review"
local ReviewDialog = require "ReviewDialog"
local Suggestions = require "Suggestions"
local Vocabulary = require "Vocabulary"

local LrTasks = sdk.import "LrTasks"
local LrApplication = sdk.import "LrApplication"
local LrDialogs = sdk.import "LrDialogs"
local LrProgressScope = sdk.import "LrProgressScope"
local LrView = sdk.import "LrView"

local inTask = require("support.tasks").run

local function nameOf(photo) return photo:getFormattedMetadata("fileName") end

-- Puts suggestions on photos (as a suggest-only run would).
local function suggest(catalog, list)
  inTask(function()
    catalog:withWriteAccessDo("spec", function()
      for photo, values in pairs(list) do Suggestions.store(photo, values) end
    end)
  end)
end

local DOG = { aiRating = "4", aiFlag = "pick", aiKeywords = "dog, surfboard", aiCaption = "A dog surfing.", aiTitle = "Surf Dog", aiModel = "gemma3:4b", aiRun = "r1", aiReasons = "sharp" }

describe("Review", function()
  local catalog, p, runs

  before_each(function()
    sdk.reset()
    catalog = Catalog.new({ photos = {
      { fileName = "A.NEF", rating = 2, caption = "Mine", keywords = { "Animals/dog" } },
      { fileName = "B.NEF" },
      { fileName = "C.NEF" },
    } })
    p = catalog:getAllPhotos()
    runs = FakeRuns.new()
  end)

  local function deps(extra)
    local d = { catalog = catalog, client = runs, pcall = LrTasks.pcall, nameOf = nameOf }
    for k, v in pairs(extra or {}) do d[k] = v end
    return d
  end

  it("shows current against suggested per field, and checks only the fields that would change", function()
    suggest(catalog, { [p[1]] = DOG, [p[2]] = { aiFlag = "none", aiRun = "r1" } })
    local rows, more = inTask(function() return Review.rows(catalog, p, nameOf) end)
    assert.are.equal(0, more)
    assert.are.equal(2, #rows)
    assert.are.equal("A.NEF", rows[1].name)
    assert.are.same({
      { field = "rating", current = "**", suggested = "****", differs = true },
      { field = "flag", current = "Unflagged", suggested = "Pick", differs = true },
      { field = "keywords", current = "dog", suggested = "dog, surfboard", differs = true },
      { field = "caption", current = "Mine", suggested = "A dog surfing.", differs = true },
      { field = "title", current = "", suggested = "Surf Dog", differs = true },
    }, rows[1].fields)
    assert.are.same({ { field = "flag", current = "Unflagged", suggested = "Unflagged", differs = false } }, rows[2].fields)
    local props = {}
    Review.defaults(props, rows)
    assert.is_true(props.p1)
    assert.is_true(props.p1_rating)
    assert.is_false(props.p2_flag)
  end)

  it("writes only what was accepted, per photo and per field, records it as a run and clears what was reviewed", function()
    suggest(catalog, { [p[1]] = DOG, [p[2]] = { aiRating = "5", aiModel = "gemma3:4b" }, [p[3]] = { aiRating = "1", aiModel = "gemma3:4b" } })
    local rows = inTask(function() return Review.rows(catalog, p, nameOf) end)
    local props = {}
    Review.defaults(props, rows)
    props.p1_caption = false -- rejected: the photographer's caption stays
    props.p3 = false          -- the whole photo rejected for now: keeps its suggestions
    local decisions = Review.decisions(props, rows)
    local vocabulary = inTask(function() return Vocabulary.read(catalog, "Junmai AI") end)
    local report = inTask(function() return Review.apply(deps({ vocabulary = vocabulary }), decisions) end)

    assert.are.equal(2, report.applied)
    assert.are.same({ rating = 2, pick = 1, keywords = 1, caption = 0, title = 1 }, report.written)
    assert.are.equal(4, p[1]:getRawMetadata("rating"))
    assert.are.equal(1, p[1]:getRawMetadata("pickStatus"))
    assert.are.equal("Mine", p[1]:getFormattedMetadata("caption"))
    assert.are.equal("Surf Dog", p[1]:getFormattedMetadata("title"))
    -- "dog" is the photographer's own keyword (already on the photo); "surfboard" is new, under Junmai AI.
    assert.are.same({ "Animals/dog", "Junmai AI/surfboard" }, p[1]:_keywordPaths())
    assert.are.same({ "Junmai AI", "Junmai AI/surfboard" }, catalog._created)
    assert.are.equal(5, p[2]:getRawMetadata("rating"))
    assert.is_nil(p[3]:getRawMetadata("rating"))
    assert.are.same({}, p[1]:_properties())
    assert.are.same({}, p[2]:_properties())
    assert.are.equal("1", p[3]:getPropertyForPlugin(_PLUGIN, "aiRating"))

    -- The run, as the daemon got it.
    assert.are.same({ kind = "apply", model = "gemma3:4b", source = "review" }, runs:callsOf("createRun")[1].body)
    local id1, id2 = tostring(p[1].localIdentifier), tostring(p[2].localIdentifier)
    assert.are.same({ changes = {
      { photo_id = id1, field = "rating", before = 2, after = 4 },
      { photo_id = id1, field = "pick", before = 0, after = 1 },
      { photo_id = id1, field = "title", after = "Surf Dog" },
      { photo_id = id1, field = "keywords", before = { "Animals|dog" }, after = { "Animals|dog", "Junmai AI|surfboard" },
        keywords_added = { "Junmai AI|surfboard" }, keywords_created = { "Junmai AI|surfboard" } },
      { photo_id = id2, field = "rating", after = 5 },
    } }, runs:callsOf("addRunChanges")[1].body)
    assert.are.equal(0, report.unrecorded)
  end)

  it("applies in batches of 50, one catalog write each, with progress, and stops between batches when cancelled", function()
    local many = {}
    for i = 1, 120 do many[i] = {} end
    catalog = Catalog.new({ photos = many })
    p = catalog:getAllPhotos()
    local list = {}
    for _, photo in ipairs(p) do list[photo] = { aiRating = "3", aiModel = "m" } end
    suggest(catalog, list)
    local rows = inTask(function() return Review.rows(catalog, p, nameOf) end)
    assert.are.equal(Review.MAX_ROWS > 120 and 120 or Review.MAX_ROWS, #rows)
    local props = {}
    Review.defaults(props, rows)
    local progress = LrProgressScope({ title = "spec" })
    local writesBefore = #catalog._writes
    local report = inTask(function() return Review.apply(deps({ progress = progress }), Review.decisions(props, rows)) end)
    assert.are.equal(120, report.applied)
    assert.are.equal(3, #catalog._writes - writesBefore)
    assert.are.same({ 50 / 120, 100 / 120, 1 }, progress.portions)
    -- One run, its 120 changes in one request (the daemon takes up to 1000).
    assert.are.equal(1, #runs:callsOf("createRun"))
    local sent = 0
    for _, c in ipairs(runs:callsOf("addRunChanges")) do sent = sent + #c.body.changes end
    assert.are.equal(120, sent)

    -- Cancelled during the first batch: the rest keep their suggestions.
    suggest(catalog, list)
    progress = LrProgressScope({ title = "spec" })
    local cancelling = { isCanceled = function() return progress.portion > 0 end, setPortionComplete = function(_, d, t) progress:setPortionComplete(d, t) end }
    report = inTask(function() return Review.apply(deps({ progress = cancelling }), Review.decisions(props, Review.rows(catalog, p, nameOf))) end)
    assert.is_true(report.cancelled)
    assert.are.equal(50, report.applied)
    assert.is_nil(p[50]:getPropertyForPlugin(_PLUGIN, "aiRating"))
    assert.are.equal("3", p[51]:getPropertyForPlugin(_PLUGIN, "aiRating"))
  end)

  it("discards suggestions in batches without touching the photos' own fields", function()
    suggest(catalog, { [p[1]] = DOG, [p[2]] = { aiRating = "5" } })
    local cleared = inTask(function() return Review.discard({ catalog = catalog, batchSize = 1 }, { p[1], p[2] }) end)
    assert.are.equal(2, cleared)
    assert.are.same({}, p[1]:_properties())
    assert.are.same({}, p[2]:_properties())
    assert.are.equal(2, p[1]:getRawMetadata("rating"))
    assert.are.same({}, p[1]:_callsOf("setRawMetadata"))
    assert.are.equal(3, #catalog._writes) -- the spec's own write, then one per batch of 1
  end)

  describe("in its dialogs", function()
    before_each(function() LrApplication._setCatalog(catalog) end)

    local function connected() return { status = "ok" } end

    it("lets the photographer uncheck a field, then applies the rest with a summary", function()
      suggest(catalog, { [p[1]] = DOG })
      catalog._targets = { p[1], p[2] }
      local shown
      LrDialogs._respond(function(dialog)
        shown = dialog
        LrView._attach(dialog.contents)
        local caption = Ui.find(dialog.contents, function(n) return n._type == "checkbox" and LrView._get(n, "title") == "Caption" end)
        LrView._set(caption, false)
        return "ok"
      end)
      local outcome = Ui.run(function(ctx) return ReviewDialog.review(ctx, { client = runs, connect = connected }) end)
      assert.are.equal("done", outcome)
      assert.are.equal("Review AI Suggestions: 1 photo", shown.title)
      assert.are.equal("Apply Checked", shown.actionVerb)
      assert.are.equal("Mine", p[1]:getFormattedMetadata("caption"))
      assert.are.equal("Surf Dog", p[1]:getFormattedMetadata("title"))
      local message = LrDialogs._last("message")
      assert.are.equal("Suggestions applied to 1 photo.", message.message)
      assert.are.equal("Ratings 1, flags 1, keywords 1, captions 0, titles 1.", message.info)
    end)

    it("writes nothing when the daemon cannot record the run, and keeps the suggestions", function()
      suggest(catalog, { [p[1]] = DOG })
      catalog._targets = { p[1] }
      LrDialogs._respond("ok")
      local outcome = Ui.run(function(ctx)
        return ReviewDialog.review(ctx, { client = runs, connect = function() return nil, { code = "DAEMON_DOWN", message = "The Junmai daemon is not running." } end })
      end)
      assert.are.equal("offline", outcome)
      assert.are.same({}, p[1]:_callsOf("setRawMetadata"))
      assert.are.equal("4", p[1]:getPropertyForPlugin(_PLUGIN, "aiRating"))
      assert.are.equal("Nothing was applied.", LrDialogs._last("message").message)
    end)

    it("says so when the selection has no suggestions", function()
      catalog._targets = { p[2] }
      assert.are.equal("none", Ui.run(function(ctx) return ReviewDialog.review(ctx, { client = runs, connect = connected }) end))
      assert.are.equal("No AI suggestions here.", LrDialogs._last("message").message)
      assert.are.equal("none", Ui.run(ReviewDialog.discard))
    end)

    it("offers the catalog's runs of suggestions, newest first, when the selection has none, and shows the one chosen", function()
      local older = { aiRating = "3", aiModel = "llava:7b", aiRun = "20261129-080000", aiWhen = "2026-11-29 08:00" }
      local newer = { aiRating = "5", aiModel = "gemma3:4b", aiRun = "20261130-204200", aiWhen = "2026-11-30 20:42" }
      suggest(catalog, { [p[1]] = older, [p[3]] = older, [p[2]] = newer })
      catalog._targets = {}
      local items, review
      LrDialogs._respond(function(dialog)
        LrView._attach(dialog.contents)
        local popup = Ui.find(dialog.contents, { _type = "popup_menu" })
        items = {}
        for _, item in ipairs(popup.items) do items[#items + 1] = item.title end
        assert.are.equal("2026-11-30 20:42, gemma3:4b, 1 photo", LrView._popupTitle(popup))
        LrView._set(popup, 2)
        return "ok"
      end)
      LrDialogs._respond(function(dialog)
        review = dialog
        return "cancel"
      end)
      assert.are.equal("cancelled", Ui.run(function(ctx) return ReviewDialog.review(ctx, { client = runs, connect = connected }) end))
      assert.are.same({ "2026-11-30 20:42, gemma3:4b, 1 photo", "2026-11-29 08:00, llava:7b, 2 photos" }, items)
      assert.are.equal("Review AI Suggestions of a Run", LrDialogs._all("modal")[1].title)
      assert.are.equal("Review AI Suggestions: 2 photos", review.title)
      -- The older run's photos, A and C, and not B.
      local names = {}
      for _, node in ipairs(LrView._findAll(review.contents, { _type = "checkbox" })) do
        local title = LrView._get(node, "title")
        if title == "A.NEF" or title == "B.NEF" or title == "C.NEF" then names[#names + 1] = title end
      end
      assert.are.same({ "A.NEF", "C.NEF" }, names)
    end)

    it("discards the selection's suggestions after asking", function()
      suggest(catalog, { [p[1]] = DOG, [p[3]] = { aiRating = "2" } })
      catalog._targets = { p[1], p[2] }
      LrDialogs._respond("ok")
      assert.are.equal("done", Ui.run(ReviewDialog.discard))
      assert.are.equal("Discard the AI suggestions of 1 photo?", LrDialogs._last("confirm").message)
      assert.are.same({}, p[1]:_properties())
      assert.are.equal("2", p[3]:getPropertyForPlugin(_PLUGIN, "aiRating"))
      assert.are.equal("AI suggestions discarded on 1 photo.", LrDialogs._last("bezel").message)
    end)
  end)
end)
