-- MetadataWriter: what is written when, and how, against the shim's strict catalog.
local sdk = require "sdk"
local Catalog = require "sdk.catalog"
local MetadataWriter = require "MetadataWriter"
local EvaluationOptions = require "EvaluationOptions"

local LrTasks = sdk.import "LrTasks"

local ALL = { rating = 4, flag = "pick", keywords = { "dog", "beach" }, caption = "A dog on a beach.", title = "Beach Dog" }

local function options(overrides)
  local t = {}
  for k, v in pairs(overrides or {}) do t[k] = v end
  return EvaluationOptions.read(t)
end

local inTask = require("support.tasks").run

describe("MetadataWriter.plan", function()
  it("writes every chosen field to a photo that has none of them", function()
    local changes, kept = MetadataWriter.plan({ pickStatus = 0, caption = "", title = "", aiKeywords = {} }, ALL, options())
    assert.are.same({ rating = 4, pickStatus = 1, caption = "A dog on a beach.", title = "Beach Dog", addKeywords = { "dog", "beach" } }, changes)
    assert.are.same({}, kept)
  end)

  it("keeps what the photo already has unless told to replace it", function()
    local current = { rating = 2, pickStatus = -1, caption = "My caption", title = "Mine", aiKeywords = { "cat" } }
    local changes, kept = MetadataWriter.plan(current, ALL, options())
    assert.are.same({}, changes)
    assert.are.same({ rating = true, flag = true, caption = true, title = true, keywords = true }, kept)

    changes = MetadataWriter.plan(current, ALL, options({ junmai_overwrite = true }))
    assert.are.same({ rating = 4, pickStatus = 1, caption = "A dog on a beach.", title = "Beach Dog",
      addKeywords = { "dog", "beach" }, removeKeywords = { "cat" } }, changes)
  end)

  it("clears a flag for an undecided answer only when replacing", function()
    local changes = MetadataWriter.plan({ pickStatus = 1 }, { flag = "none" }, options())
    assert.is_nil(changes.pickStatus)
    changes = MetadataWriter.plan({ pickStatus = 1 }, { flag = "none" }, options({ junmai_overwrite = true }))
    assert.are.equal(0, changes.pickStatus)
    changes = MetadataWriter.plan({ pickStatus = 0 }, { flag = "reject" }, options())
    assert.are.equal(-1, changes.pickStatus)
    changes = MetadataWriter.plan({ pickStatus = 0 }, { flag = "none" }, options())
    assert.is_nil(changes.pickStatus)
  end)

  it("writes only the fields chosen", function()
    local changes = MetadataWriter.plan({ aiKeywords = {} }, ALL, options({ junmai_writeRating = false, junmai_writeKeywords = false, junmai_writeTitle = false }))
    assert.are.same({ pickStatus = 1, caption = "A dog on a beach." }, changes)
  end)

  it("ignores answers that are not usable values", function()
    local changes = MetadataWriter.plan({ aiKeywords = {} }, { rating = 7, flag = "maybe", caption = "   ", title = 42, keywords = "dog" }, options())
    assert.are.same({}, changes)
    changes = MetadataWriter.plan({ rating = 0 }, { rating = 3.6 }, options())
    assert.are.equal(3, changes.rating)
  end)

  it("changes nothing when the replaced values are the same", function()
    local current = { rating = 4, pickStatus = 1, caption = "A dog on a beach.", title = "Beach Dog", aiKeywords = { "Beach", "dog" } }
    local changes, kept = MetadataWriter.plan(current, ALL, options({ junmai_overwrite = true }))
    assert.are.same({}, changes)
    assert.are.same({}, kept)
  end)

  it("cleans keyword names: separators, repeats, length", function()
    assert.are.same({ "dog", "beach sunset", "a b c", string.rep("x", 40) },
      MetadataWriter.cleanKeywords({ " dog ", "Dog", "beach, sunset", "a|b>c", "", 7, string.rep("x", 45) }))
  end)
end)

describe("MetadataWriter's writer", function()
  before_each(function() sdk.reset() end)

  local function photos(catalog)
    return catalog:getAllPhotos()
  end

  it("writes a batch in one catalog write, under “Junmai AI”, leaving other keywords alone", function()
    local catalog = Catalog.new({ photos = {
      { fileName = "A.CR3", keywords = { "travel" } },
      { fileName = "B.CR3", rating = 2, caption = "Mine" },
    } })
    local p = photos(catalog)
    local writer = MetadataWriter.new({ catalog = catalog, options = options(), pcall = LrTasks.pcall })
    local outcomes = inTask(function()
      return writer:write({ { photo = p[1], result = ALL }, { photo = p[2], result = ALL } })
    end)
    assert.are.same({ ok = true, written = { rating = true, flag = true, keywords = true, caption = true, title = true }, kept = {} }, outcomes[1])
    assert.are.same({ ok = true, written = { flag = true, keywords = true, title = true }, kept = { rating = true, caption = true } }, outcomes[2])
    -- The parent keyword in a write of its own, then one write for the batch.
    assert.are.same({ { action = "Junmai AI Evaluation", status = "executed" }, { action = "Junmai AI Evaluation", status = "executed" } }, catalog._writes)
    assert.are.same({ "Junmai AI", "Junmai AI/dog", "Junmai AI/beach" }, catalog._created)
    assert.are.same({ "Junmai AI/beach", "Junmai AI/dog", "travel" }, p[1]:_keywordPaths())
    assert.are.equal(4, p[1]:getRawMetadata("rating"))
    assert.are.equal(1, p[1]:getRawMetadata("pickStatus"))
    assert.are.equal(2, p[2]:getRawMetadata("rating"))
    assert.are.equal("Mine", p[2]:getFormattedMetadata("caption"))
    assert.are.equal("Beach Dog", p[2]:getFormattedMetadata("title"))
    assert.is_false(catalog:_keywordAt("Junmai AI")._includeOnExport)
    assert.is_true(catalog:_keywordAt("Junmai AI/dog")._includeOnExport)

    -- The next batch finds the keywords made before.
    inTask(function() return writer:write({ { photo = p[2], result = { keywords = { "dog" } } } }) end)
    assert.are.equal(3, #catalog._writes)
    assert.are.equal(3, #catalog._created)
  end)

  it("replaces only the keywords under “Junmai AI” when replacing", function()
    local catalog = Catalog.new({ photos = { { keywords = { "travel", "Junmai AI/cat", "Junmai AI/dog" } } } })
    local p = photos(catalog)[1]
    local writer = MetadataWriter.new({ catalog = catalog, options = options({ junmai_overwrite = true }), pcall = LrTasks.pcall })
    inTask(function() return writer:write({ { photo = p, result = { keywords = { "dog", "beach" } } } }) end)
    assert.are.same({ "Junmai AI/beach", "Junmai AI/dog", "travel" }, p:_keywordPaths())
    assert.are.same({ { op = "removeKeyword", value = "Junmai AI/cat" } }, p:_callsOf("removeKeyword"))
  end)

  it("fails the batch with a sentence when the catalog stays busy", function()
    local catalog = Catalog.new({ photos = { {}, {} } })
    catalog._busy = true
    local writer = MetadataWriter.new({ catalog = catalog, options = options({ junmai_writeKeywords = false }), pcall = LrTasks.pcall, timeout = 3 })
    local outcomes = inTask(function()
      return writer:write({ { photo = photos(catalog)[1], result = ALL }, { photo = photos(catalog)[2], result = ALL } })
    end)
    for i = 1, 2 do
      assert.is_false(outcomes[i].ok)
      assert.are.equal("Lightroom's catalog stayed busy for 3 s (another plug-in or a sync was writing), so the evaluation was not saved. Try this photo again.", outcomes[i].message)
    end
    assert.are.same({}, photos(catalog)[1]._calls)
  end)

  it("fails one photo Lightroom refuses to change, and writes the others", function()
    local catalog = Catalog.new({ photos = { {}, {} } })
    local p = photos(catalog)
    -- A photo that raises on any change, as a locked or missing photo might.
    p[1].setRawMetadata = function() error("LrPhoto:setRawMetadata: photo is not editable") end
    local writer = MetadataWriter.new({ catalog = catalog, options = options({ junmai_writeKeywords = false }), pcall = LrTasks.pcall })
    local outcomes = inTask(function() return writer:write({ { photo = p[1], result = ALL }, { photo = p[2], result = ALL } }) end)
    assert.is_false(outcomes[1].ok)
    assert.are.equal("Lightroom refused to save the evaluation to this photo; the details are in Junmai.log.", outcomes[1].message)
    assert.is_true(outcomes[2].ok)
    assert.are.equal(4, p[2]:getRawMetadata("rating"))
  end)

  it("is refused by the shim outside a catalog write, as by Lightroom", function()
    local catalog = Catalog.new({ photos = { {} } })
    assert.has_error(function() catalog:getAllPhotos()[1]:setRawMetadata("rating", 3) end)
    assert.has_error(function() catalog:createKeyword("x", {}, true, nil, true) end)
  end)
end)
