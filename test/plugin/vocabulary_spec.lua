-- The photographer's vocabulary: the catalog's keyword tree read for the daemon, and reused by name when writing.
local sdk = require "sdk"
local Catalog = require "sdk.catalog"
local Json = require "Json"
local EvaluationOptions = require "EvaluationOptions"
local MetadataWriter = require "MetadataWriter"
local Vocabulary = require "Vocabulary"

local LrTasks = sdk.import "LrTasks"

local inTask = require("support.tasks").run

describe("Vocabulary", function()
  before_each(function() sdk.reset() end)

  it("reads the whole tree with synonyms, each name once, leaving out Junmai's parent but not its children", function()
    local catalog = Catalog.new({
      keywords = { "Animals/Dog", "Places/Beach", "Junmai AI/surfboard", "Junmai AI/dog", "People" },
      synonyms = { Dog = { "hound", "puppy" } },
    })
    local vocabulary = inTask(function() return Vocabulary.read(catalog, "Junmai AI") end)
    assert.are.equal('[{"name":"Animals"},{"name":"Places"},{"name":"People"},{"name":"Dog","synonyms":["hound","puppy"]},{"name":"Beach"},{"name":"surfboard"}]',
      Json.encode(vocabulary.entries))
    assert.are.equal(catalog:_keywordAt("Animals/Dog"), Vocabulary.find(vocabulary, "dog"))
    assert.is_nil(Vocabulary.find(vocabulary, "cat"))
    assert.are.equal(1, catalog._keywordReads)
  end)

  it("is read only from a task, as LrKeyword:getChildren requires", function()
    local catalog = Catalog.new({ keywords = { "Animals/Dog" } })
    assert.has_error(function() Vocabulary.read(catalog, "Junmai AI") end, "LrKeyword:getChildren must be called from an async task")
  end)

  it("lets the writer reuse the photographer's keyword where it is, and make only new ones under Junmai AI", function()
    local catalog = Catalog.new({ keywords = { "Animals/Dog" }, photos = { {} } })
    local photo = catalog:getAllPhotos()[1]
    local writer = MetadataWriter.new({ catalog = catalog, options = EvaluationOptions.read({ junmai_suggestOnly = false }), pcall = LrTasks.pcall,
      vocabulary = inTask(function() return Vocabulary.read(catalog, "Junmai AI") end) })
    inTask(function() return writer:write({ { photo = photo, result = { keywords = { "Dog", "surfboard" } } } }) end)
    assert.are.same({ "Animals/Dog", "Junmai AI/surfboard" }, photo:_keywordPaths())
    assert.are.same({ "Junmai AI", "Junmai AI/surfboard" }, catalog._created)
  end)
end)
