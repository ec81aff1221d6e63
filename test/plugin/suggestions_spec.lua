-- AI suggestions in the plug-in's own metadata fields, and the shim holding them to Lightroom's rules.
local sdk = require "sdk"
local Catalog = require "sdk.catalog"
local metadata = require "sdk.metadata"
local EvaluationOptions = require "EvaluationOptions"
local Suggestions = require "Suggestions"
local SuggestionWriter = require "SuggestionWriter"

local LrTasks = sdk.import "LrTasks"

local inTask = require("support.tasks").run

-- Runs fn inside a catalog write, in a task, and returns whether it raised and its message.
local function inWrite(catalog, fn)
  return inTask(function()
    local ok, err
    catalog:withWriteAccessDo("spec", function() ok, err = pcall(fn) end)
    return ok, err
  end)
end

local ANSWER = { rating = 4, flag = "reject", keywords = { "dog", "Dog", "beach, sunset" }, caption = "A dog.", title = "Dog", reasons = { "soft focus", "eyes closed" } }

describe("the plug-in's metadata definition", function()
  it("passes Lightroom's rules and makes the flag, rating, model and run searchable and browsable", function()
    local def = metadata.plugin(sdk.pluginPath)
    assert.are.equal("com.junmai.autodev", def.pluginId)
    assert.are.equal(1, def.def.schemaVersion)
    for _, id in ipairs({ "aiRating", "aiFlag", "aiModel", "aiRun" }) do
      assert.is_true(def.fields[id].searchable, id)
      assert.is_true(def.fields[id].browsable, id)
    end
    assert.is_true(def.fields.aiKeywords.searchable)
    -- Texts that can pass 511 bytes are shown, not indexed.
    assert.is_nil(def.fields.aiCaption.searchable)
    assert.are.equal(1, #def.tagsets)
    assert.are.equal("junmaiSuggestions", def.tagsets[1].id)
  end)

  it("is refused, as by Lightroom, with an id that is not a Lua name, an unknown type or browsable alone", function()
    local function def(field) return { schemaVersion = 1, metadataFieldsForPhotos = { field } } end
    assert.has_error(function() metadata.validate(def({ id = "ai_rating", title = "x", dataType = "string" })) end)
    assert.has_error(function() metadata.validate(def({ id = "1st", dataType = "string" })) end)
    assert.has_error(function() metadata.validate(def({ id = "aiRating", dataType = "number" })) end)
    assert.has_error(function() metadata.validate(def({ id = "aiRating", title = "x", dataType = "string", browsable = true })) end)
    assert.has_error(function() metadata.validate(def({ id = "aiRating", dataType = "string", searchable = true })) end)
    assert.has_error(function() metadata.validate(def({ id = "aiFlag", title = "x", dataType = "enum" })) end)
    assert.has_error(function() metadata.validate({ metadataFieldsForPhotos = {} }) end)
    assert.has_no_error(function() metadata.validate(def({ id = "aiRating2", title = "x", dataType = "string", searchable = true, browsable = true })) end)
  end)
end)

describe("setPropertyForPlugin in the shim", function()
  before_each(function() sdk.reset() end)

  it("takes a declared field, a string value and the plug-in object, inside a write only", function()
    local catalog = Catalog.new({ photos = { {} } })
    local photo = catalog:getAllPhotos()[1]
    assert.has_error(function() photo:setPropertyForPlugin(_PLUGIN, "aiModel", "gemma3:4b") end,
      "LrPhoto:setPropertyForPlugin: the catalog is not open for writing (call inside catalog:withWriteAccessDo)")
    local ok, err = inWrite(catalog, function() photo:setPropertyForPlugin("com.junmai.autodev", "aiModel", "x") end)
    assert.is_false(ok)
    assert.matches("must be the plug%-in object", err)
    ok, err = inWrite(catalog, function() photo:setPropertyForPlugin(_PLUGIN, "aiScore", "x") end)
    assert.is_false(ok)
    assert.matches("declares no field aiScore", err)
    ok, err = inWrite(catalog, function() photo:setPropertyForPlugin(_PLUGIN, "aiModel", 4) end)
    assert.is_false(ok)
    assert.matches("aiModel takes a string, got number", err)
    ok, err = inWrite(catalog, function() photo:setPropertyForPlugin(_PLUGIN, "aiRating", 4) end)
    assert.is_false(ok)
    assert.matches("4 is not a value of aiRating", err)
    ok, err = inWrite(catalog, function() photo:setPropertyForPlugin(_PLUGIN, "aiKeywords", string.rep("x", 512)) end)
    assert.is_false(ok)
    assert.matches("at most 511 bytes", err)
    assert.are.same({}, photo:_properties())
    assert.is_true((inWrite(catalog, function() photo:setPropertyForPlugin(_PLUGIN, "aiRating", "4") end)))
    assert.are.equal("4", photo:getPropertyForPlugin("com.junmai.autodev", "aiRating"))
    assert.are.equal("4", photo:getPropertyForPlugin(_PLUGIN, "aiRating"))
    assert.has_error(function() photo:getPropertyForPlugin(_PLUGIN, "aiScore") end)
    assert.is_nil(photo:getPropertyForPlugin(_PLUGIN, "aiScore", nil, true))
  end)
end)

describe("Suggestions", function()
  before_each(function() sdk.reset() end)

  it("turns an answer into strings for the fields chosen, and back", function()
    local write = EvaluationOptions.read({ junmai_writeTitle = false }).write
    local values = Suggestions.values(ANSWER, write, { model = "gemma3:4b", run = "20261130-201500", when = "2026-11-30 20:15" })
    assert.are.same({ aiRating = "4", aiFlag = "reject", aiKeywords = "dog, beach sunset", aiCaption = "A dog.",
      aiReasons = "soft focus; eyes closed", aiModel = "gemma3:4b", aiRun = "20261130-201500", aiWhen = "2026-11-30 20:15" }, values)
    local catalog = Catalog.new({ photos = { {}, {} } })
    local p = catalog:getAllPhotos()
    inWrite(catalog, function() Suggestions.store(p[1], values) end)
    local all = Suggestions.readAll(catalog, p)
    assert.are.same({ rating = 4, flag = "reject", keywords = { "dog", "beach sunset" }, caption = "A dog.", reasons = "soft focus; eyes closed",
      model = "gemma3:4b", run = "20261130-201500", when = "2026-11-30 20:15" }, all[p[1]])
    assert.is_nil(all[p[2]])
    inWrite(catalog, function() Suggestions.clear(p[1]) end)
    assert.are.same({}, p[1]:_properties())
  end)

  it("keeps the keywords within a searchable field's 511 bytes, leaving out whole names", function()
    local names = {}
    for i = 1, 30 do names[i] = string.format("keyword%02d %s", i, string.rep("x", 20)) end
    local joined = Suggestions.joinKeywords(names)
    assert.is_true(#joined <= 511)
    local back = Suggestions.splitKeywords(joined)
    assert.are.equal(string.rep("x", 20), string.sub(back[#back], -20))
    assert.are.same(names[#back], back[#back])
    assert.are.equal(16, #back)
  end)
end)

describe("SuggestionWriter", function()
  before_each(function() sdk.reset() end)

  it("writes only the plug-in's fields, one catalog write per batch", function()
    local catalog = Catalog.new({ photos = { { rating = 2, caption = "Mine" }, {} } })
    local p = catalog:getAllPhotos()
    local writer = SuggestionWriter.new({ catalog = catalog, options = EvaluationOptions.read({}), pcall = LrTasks.pcall, run = "r1", when = "now" })
    local outcomes = inTask(function()
      return writer:write({ { photo = p[1], result = ANSWER, model = "m" }, { photo = p[2], result = { rating = 2 }, model = "m" } })
    end)
    assert.are.same({ ok = true, written = {}, kept = {}, suggested = true }, outcomes[1])
    assert.are.same({ { action = "Junmai AI Suggestions", status = "executed" } }, catalog._writes)
    for _, photo in ipairs(p) do
      for _, c in ipairs(photo._calls) do assert.are.equal("setPropertyForPlugin", c.op) end
    end
    assert.are.equal(2, p[1]:getRawMetadata("rating"))
    assert.are.same({}, catalog._created)
    assert.are.equal("reject", p[1]:getPropertyForPlugin(_PLUGIN, "aiFlag"))
    assert.are.same({ aiRating = "2", aiModel = "m", aiRun = "r1", aiWhen = "now" }, p[2]:_properties())
  end)

  it("fails the batch with a sentence when the catalog stays busy", function()
    local catalog = Catalog.new({ photos = { {} } })
    catalog._busy = true
    local writer = SuggestionWriter.new({ catalog = catalog, options = EvaluationOptions.read({}), pcall = LrTasks.pcall, timeout = 3 })
    local outcomes = inTask(function() return writer:write({ { photo = catalog:getAllPhotos()[1], result = ANSWER } }) end)
    assert.is_false(outcomes[1].ok)
    assert.matches("stayed busy for 3 s", outcomes[1].message)
  end)
end)
