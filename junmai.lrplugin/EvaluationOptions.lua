--[[
What the photographer chose for an evaluation run — which fields to write, whether to replace
values already set, the size of the image sent, whether cached results may be used — and what
follows from it: the request body for /api/evaluate and the render settings of the image sent.
Pure: the export dialog's property table and the plug-in's prefs are both plain key/value tables
here, with the same keys (prefixed, as export settings share one namespace with Lightroom's own).

About the image sent. A post-process action cannot change how the export renders (an export
filter has no updateExportSettings, and a filter that asks for another render must itself
produce the file the export expects), so the export's files stay exactly as set in the dialog.
When the export's own render is already a JPEG no larger than the chosen long edge, that very
file is sent (image_path = the rendered path). Otherwise Junmai renders its own JPEG of the
photo at the chosen long edge into a temporary folder (renderSettings below), sends that, and
deletes it afterwards. Evaluate Selected Photos always renders its own.
]]
local Json = require "Json"

local EvaluationOptions = {}

-- The fields a run can write, in the daemon's names, with the key that switches each on.
EvaluationOptions.FIELDS = {
  { field = "rating", key = "junmai_writeRating" },
  { field = "flag", key = "junmai_writeFlag" },
  { field = "keywords", key = "junmai_writeKeywords" },
  { field = "caption", key = "junmai_writeCaption" },
  { field = "title", key = "junmai_writeTitle" },
}

EvaluationOptions.DEFAULT_LONG_EDGE = 1024
EvaluationOptions.LONG_EDGES = { 512, 768, 1024, 1536, 2048 }
EvaluationOptions.MIN_LONG_EDGE = 256
EvaluationOptions.MAX_LONG_EDGE = 4096

EvaluationOptions.DEFAULTS = {
  junmai_writeRating = true,
  junmai_writeFlag = true,
  junmai_writeKeywords = true,
  junmai_writeCaption = true,
  junmai_writeTitle = true,
  -- Values the photographer set stay unless asked otherwise.
  junmai_overwrite = false,
  junmai_longEdge = EvaluationOptions.DEFAULT_LONG_EDGE,
  junmai_useCache = true,
  -- Evaluate Selected keeps the answers as suggestions to review; an export writes them
  -- (EXPORT_DEFAULTS), as it always did, unless its section says otherwise.
  junmai_suggestOnly = true,
  -- How the model's keywords meet the catalog's own (the daemon's keyword_policy).
  junmai_keywordPolicy = "prefer",
}

EvaluationOptions.EXPORT_DEFAULTS = { junmai_suggestOnly = false }

EvaluationOptions.KEYWORD_POLICIES = { "prefer", "only", "free" }

local KEYS = {
  "junmai_writeRating", "junmai_writeFlag", "junmai_writeKeywords", "junmai_writeCaption", "junmai_writeTitle",
  "junmai_overwrite", "junmai_longEdge", "junmai_useCache", "junmai_suggestOnly", "junmai_keywordPolicy",
}
EvaluationOptions.KEYS = KEYS

local function exportDefault(key)
  local v = EvaluationOptions.EXPORT_DEFAULTS[key]
  if v == nil then v = EvaluationOptions.DEFAULTS[key] end
  return v
end

-- exportPresetFields for the export filter: these travel with export presets.
function EvaluationOptions.presetFields()
  local out = {}
  for _, key in ipairs(KEYS) do out[#out + 1] = { key = key, default = exportDefault(key) } end
  return out
end

-- Fills keys that are missing in an export's settings (an old preset) with the export's defaults.
function EvaluationOptions.applyDefaults(t)
  for _, key in ipairs(KEYS) do
    if t[key] == nil then t[key] = exportDefault(key) end
  end
end

function EvaluationOptions.keywordPolicy(value)
  for _, p in ipairs(EvaluationOptions.KEYWORD_POLICIES) do
    if p == value then return p end
  end
  return EvaluationOptions.DEFAULTS.junmai_keywordPolicy
end

function EvaluationOptions.clampLongEdge(value)
  local n = tonumber(value)
  if not n then return EvaluationOptions.DEFAULT_LONG_EDGE end
  n = math.floor(n + 0.5)
  if n < EvaluationOptions.MIN_LONG_EDGE then return EvaluationOptions.MIN_LONG_EDGE end
  if n > EvaluationOptions.MAX_LONG_EDGE then return EvaluationOptions.MAX_LONG_EDGE end
  return n
end

local function flag(t, key, forExport)
  local v = t[key]
  if v == nil then
    if forExport then return exportDefault(key) end
    return EvaluationOptions.DEFAULTS[key]
  end
  return v == true
end

--[[
The choices in force (forExport: a key missing takes the export's default, as for an export
preset saved before the key existed): {write = {rating, flag, keywords, caption, title = booleans}, fields = the
daemon's names of those switched on, overwrite, longEdge, useCache, suggestOnly, keywordPolicy}.
]]
function EvaluationOptions.read(t, forExport)
  t = t or {}
  local out = { write = {}, fields = {} }
  for _, f in ipairs(EvaluationOptions.FIELDS) do
    out.write[f.field] = flag(t, f.key, forExport)
    if out.write[f.field] then out.fields[#out.fields + 1] = f.field end
  end
  out.overwrite = flag(t, "junmai_overwrite", forExport)
  out.useCache = flag(t, "junmai_useCache", forExport)
  out.longEdge = EvaluationOptions.clampLongEdge(t.junmai_longEdge)
  out.suggestOnly = flag(t, "junmai_suggestOnly", forExport)
  out.keywordPolicy = EvaluationOptions.keywordPolicy(t.junmai_keywordPolicy)
  return out
end

-- Copies the choices from one table to another (prefs to a dialog's properties and back).
function EvaluationOptions.copy(from, to)
  for _, key in ipairs(KEYS) do
    local v = from[key]
    if v == nil then v = EvaluationOptions.DEFAULTS[key] end
    to[key] = v
  end
  return to
end

--[[
The body of POST /api/evaluate for one image. vocabulary: the catalog's keywords
(Vocabulary.read's entries), sent with the keyword policy when keywords are asked for; the
policy "free" needs no vocabulary.
]]
function EvaluationOptions.requestBody(options, imagePath, photoId, vocabulary)
  local body = {
    image_path = imagePath,
    photo_id = photoId,
    fields = Json.array({}),
  }
  for _, f in ipairs(options.fields) do body.fields[#body.fields + 1] = f end
  -- A suggestion shows the model's reasons beside it.
  if options.suggestOnly then body.fields[#body.fields + 1] = "reasons" end
  if not options.useCache then body.options = { cache = false } end
  if options.write.keywords then
    body.options = body.options or {}
    body.options.keyword_policy = options.keywordPolicy
    if options.keywordPolicy ~= "free" and vocabulary then body.vocabulary = vocabulary end
  end
  return body
end

--[[
Whether the export's own rendered file can be sent as it is: a JPEG whose long edge is at most
`longEdge` pixels. Sizes Lightroom states in other units, as megapixels, a percentage or by the
short edge cannot be judged before rendering, so those exports get Junmai's own render.
]]
function EvaluationOptions.exportRenderUsable(settings, longEdge)
  if type(settings) ~= "table" or settings.LR_format ~= "JPEG" then return false end
  if settings.LR_size_doConstrain ~= true then return false end
  local units = settings.LR_size_units
  if units ~= nil and units ~= "pixels" then return false end
  local resize = settings.LR_size_resizeType or "wh"
  local w, h = tonumber(settings.LR_size_maxWidth), tonumber(settings.LR_size_maxHeight)
  if resize == "longEdge" or resize == "wh" or resize == "dimensions" then
    -- Lightroom keeps the long edge in either key, depending on the version: both must fit.
    return w ~= nil and h ~= nil and w <= longEdge and h <= longEdge
  end
  return false
end

--[[
Export settings for Junmai's own render of the image sent: an sRGB JPEG of at most `longEdge`
pixels on the long edge in `folder`. Same-named photos (virtual copies, two cards' IMG_0001)
are renamed rather than overwritten, so each photo's file stays its own until it is evaluated.
]]
function EvaluationOptions.renderSettings(folder, longEdge)
  return {
    LR_export_destinationType = "specificFolder",
    LR_export_destinationPathPrefix = folder,
    LR_export_useSubfolder = false,
    LR_collisionHandling = "rename",
    LR_format = "JPEG",
    LR_jpeg_quality = 0.85,
    LR_export_colorSpace = "sRGB",
    LR_export_bitDepth = 8,
    LR_size_doConstrain = true,
    LR_size_doNotEnlarge = true,
    LR_size_resizeType = "longEdge",
    LR_size_maxWidth = longEdge,
    LR_size_maxHeight = longEdge,
    LR_size_units = "pixels",
    LR_size_resolution = 72,
    LR_outputSharpeningOn = false,
    LR_useWatermark = false,
    LR_minimizeEmbeddedMetadata = true,
    LR_removeLocationMetadata = true,
    LR_reimportExportedPhoto = false,
    LR_includeVideoFiles = false,
    LR_export_postProcessing = "doNothing",
  }
end

-- One line for the export dialog's section header.
function EvaluationOptions.synopsis(t)
  local o = EvaluationOptions.read(t)
  if #o.fields == 0 then return LOC "$$$/Junmai/Options/NothingToWrite=Nothing chosen to write" end
  local names = {}
  for _, f in ipairs(o.fields) do names[#names + 1] = EvaluationOptions.fieldLabel(f) end
  local what = table.concat(names, ", ")
  if o.suggestOnly then
    return LOC("$$$/Junmai/Options/SynopsisSuggest=Suggests ^1 for review", what)
  end
  if o.overwrite then
    return LOC("$$$/Junmai/Options/SynopsisReplace=Writes ^1, replacing values already set", what)
  end
  return LOC("$$$/Junmai/Options/SynopsisKeep=Writes ^1 where not set yet", what)
end

function EvaluationOptions.fieldLabel(field)
  if field == "rating" then return LOC "$$$/Junmai/Options/Rating=rating" end
  if field == "flag" then return LOC "$$$/Junmai/Options/Flag=pick/reject" end
  if field == "keywords" then return LOC "$$$/Junmai/Options/Keywords=keywords" end
  if field == "caption" then return LOC "$$$/Junmai/Options/Caption=caption" end
  return LOC "$$$/Junmai/Options/Title=title"
end

return EvaluationOptions
