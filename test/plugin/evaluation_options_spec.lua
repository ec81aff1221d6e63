-- EvaluationOptions: the choices, the request body, and when the export's own file is sent.
local EvaluationOptions = require "EvaluationOptions"
local Json = require "Json"

describe("EvaluationOptions", function()
  it("defaults to writing everything, keeping values already set, 1024 px and cached results", function()
    local o = EvaluationOptions.read({})
    assert.are.same({ "rating", "flag", "keywords", "caption", "title" }, o.fields)
    assert.is_false(o.overwrite)
    assert.is_true(o.useCache)
    assert.are.equal(1024, o.longEdge)
    assert.is_true(o.suggestOnly)
    assert.are.equal("prefer", o.keywordPolicy)
    local fields = EvaluationOptions.presetFields()
    assert.are.equal(10, #fields)
    assert.are.same({ key = "junmai_longEdge", default = 1024 }, fields[7])
    -- An export writes to the photos by default, as before "suggest only" existed.
    assert.are.same({ key = "junmai_suggestOnly", default = false }, fields[9])
    assert.are.same({ key = "junmai_keywordPolicy", default = "prefer" }, fields[10])
  end)

  it("reads an export preset saved before suggest-only existed as writing, and prefs as suggesting", function()
    assert.is_false(EvaluationOptions.read({ junmai_writeRating = true }, true).suggestOnly)
    assert.is_true(EvaluationOptions.read({ junmai_writeRating = true }).suggestOnly)
    local props = {}
    EvaluationOptions.applyDefaults(props)
    assert.is_false(props.junmai_suggestOnly)
    assert.are.equal("prefer", EvaluationOptions.read({ junmai_keywordPolicy = "whatever" }).keywordPolicy)
    assert.are.equal("only", EvaluationOptions.read({ junmai_keywordPolicy = "only" }).keywordPolicy)
  end)

  it("sends the catalog's vocabulary with the keyword policy, and none for the policy free", function()
    local vocabulary = Json.array({ { name = "Dog", synonyms = Json.array({ "hound" }) } })
    local o = EvaluationOptions.read({ junmai_suggestOnly = false, junmai_writeRating = false, junmai_writeFlag = false, junmai_writeCaption = false, junmai_writeTitle = false })
    assert.are.equal('{"fields":["keywords"],"image_path":"/a.jpg","options":{"keyword_policy":"prefer"},"photo_id":"1","vocabulary":[{"name":"Dog","synonyms":["hound"]}]}',
      Json.encode(EvaluationOptions.requestBody(o, "/a.jpg", "1", vocabulary)))
    o.keywordPolicy = "free"
    assert.are.equal('{"fields":["keywords"],"image_path":"/a.jpg","options":{"keyword_policy":"free"},"photo_id":"1"}',
      Json.encode(EvaluationOptions.requestBody(o, "/a.jpg", "1", vocabulary)))
    -- No keywords asked for: neither policy nor vocabulary.
    o = EvaluationOptions.read({ junmai_suggestOnly = false, junmai_writeKeywords = false })
    assert.is_nil(EvaluationOptions.requestBody(o, "/a.jpg", "1", vocabulary).vocabulary)
    assert.is_nil(EvaluationOptions.requestBody(o, "/a.jpg", "1", vocabulary).options)
  end)

  it("asks the daemon only for the fields chosen, and without the cache when told", function()
    local o = EvaluationOptions.read({ junmai_writeRating = false, junmai_writeTitle = false, junmai_useCache = false, junmai_suggestOnly = false })
    local body = EvaluationOptions.requestBody(o, "/tmp/a.jpg", "42")
    assert.are.equal('{"fields":["flag","keywords","caption"],"image_path":"/tmp/a.jpg","options":{"cache":false,"keyword_policy":"prefer"},"photo_id":"42"}',
      Json.encode(body))
    -- A suggestion comes with the model's reasons.
    body = EvaluationOptions.requestBody(EvaluationOptions.read({ junmai_writeKeywords = false }), "/tmp/b.jpg", "7")
    assert.are.same({ "rating", "flag", "caption", "title", "reasons" }, body.fields)
    assert.is_nil(body.options)
  end)

  it("keeps the long edge within what makes sense", function()
    assert.are.equal(256, EvaluationOptions.clampLongEdge(10))
    assert.are.equal(4096, EvaluationOptions.clampLongEdge(100000))
    assert.are.equal(1024, EvaluationOptions.clampLongEdge("x"))
    assert.are.equal(1536, EvaluationOptions.read({ junmai_longEdge = 1536 }).longEdge)
  end)

  it("sends the export's own file only when it is a JPEG no larger than the long edge", function()
    local small = { LR_format = "JPEG", LR_size_doConstrain = true, LR_size_resizeType = "longEdge", LR_size_maxWidth = 1024, LR_size_maxHeight = 1024, LR_size_units = "pixels" }
    assert.is_true(EvaluationOptions.exportRenderUsable(small, 1024))
    assert.is_false(EvaluationOptions.exportRenderUsable(small, 800))
    local cases = {
      { LR_format = "TIFF", LR_size_doConstrain = true, LR_size_maxWidth = 500, LR_size_maxHeight = 500 },
      { LR_format = "JPEG", LR_size_doConstrain = false },
      { LR_format = "JPEG", LR_size_doConstrain = true, LR_size_resizeType = "megapixels", LR_size_maxWidth = 500, LR_size_maxHeight = 500 },
      { LR_format = "JPEG", LR_size_doConstrain = true, LR_size_resizeType = "shortEdge", LR_size_maxWidth = 500, LR_size_maxHeight = 500 },
      { LR_format = "JPEG", LR_size_doConstrain = true, LR_size_units = "inch", LR_size_maxWidth = 5, LR_size_maxHeight = 5 },
      { LR_format = "JPEG", LR_size_doConstrain = true, LR_size_resizeType = "wh", LR_size_maxWidth = 2048, LR_size_maxHeight = 800 },
      { LR_format = "ORIGINAL" },
    }
    for i, s in ipairs(cases) do assert.is_false(EvaluationOptions.exportRenderUsable(s, 1024), "case " .. i) end
    assert.is_true(EvaluationOptions.exportRenderUsable({ LR_format = "JPEG", LR_size_doConstrain = true, LR_size_resizeType = "wh", LR_size_maxWidth = 900, LR_size_maxHeight = 600 }, 1024))
  end)

  it("renders its own image as a small sRGB JPEG, renaming same-named photos", function()
    local s = EvaluationOptions.renderSettings("/tmp/junmai", 1024)
    assert.are.same({ "specificFolder", "/tmp/junmai", false, "rename", "JPEG", "sRGB", true, "longEdge", 1024, 1024, "pixels", false },
      { s.LR_export_destinationType, s.LR_export_destinationPathPrefix, s.LR_export_useSubfolder, s.LR_collisionHandling, s.LR_format,
        s.LR_export_colorSpace, s.LR_size_doConstrain, s.LR_size_resizeType, s.LR_size_maxWidth, s.LR_size_maxHeight, s.LR_size_units,
        s.LR_reimportExportedPhoto })
  end)

  it("sums the choices up in one line", function()
    assert.are.equal("Suggests rating, pick/reject, keywords, caption, title for review", EvaluationOptions.synopsis({}))
    assert.are.equal("Writes rating, pick/reject, keywords, caption, title where not set yet", EvaluationOptions.synopsis({ junmai_suggestOnly = false }))
    assert.are.equal("Writes rating, caption, replacing values already set", EvaluationOptions.synopsis({ junmai_suggestOnly = false,
      junmai_writeFlag = false, junmai_writeKeywords = false, junmai_writeTitle = false, junmai_overwrite = true }))
    assert.are.equal("Nothing chosen to write", EvaluationOptions.synopsis({
      junmai_writeRating = false, junmai_writeFlag = false, junmai_writeKeywords = false, junmai_writeCaption = false, junmai_writeTitle = false }))
  end)

  it("copies the choices between prefs and a dialog, filling defaults", function()
    local to = EvaluationOptions.copy({ junmai_overwrite = true }, {})
    assert.is_true(to.junmai_overwrite)
    assert.is_true(to.junmai_writeRating)
    assert.are.equal(1024, to.junmai_longEdge)
  end)
end)
