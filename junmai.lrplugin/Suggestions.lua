--[[
A photo's AI suggestions in the plug-in's own metadata fields (JunmaiMetadata): what the model
answered, as strings Lightroom can store, and back. store() and clear() must run inside
catalog:withWriteAccessDo (Lightroom's rule for setPropertyForPlugin); read() need not.

A suggestion read back: {rating = 1..5, flag = "pick"|"reject"|"none", keywords = {names},
caption, title, reasons, model, run, when}; a field the model was not asked for is nil.
]]
local JunmaiMetadata = require "JunmaiMetadata"
local MetadataWriter = require "MetadataWriter"

local Suggestions = {}

Suggestions.FIELD_IDS = {}
for _, f in ipairs(JunmaiMetadata.metadataFieldsForPhotos) do Suggestions.FIELD_IDS[#Suggestions.FIELD_IDS + 1] = f.id end

-- Lightroom's limit for a string in a searchable field.
Suggestions.SEARCHABLE_MAX_BYTES = 511
Suggestions.KEYWORD_SEPARATOR = ", "
Suggestions.FLAGS = { pick = true, reject = true, none = true }

-- Names joined as one searchable string; names that would pass the limit are left out whole.
function Suggestions.joinKeywords(names)
  local out = ""
  for _, name in ipairs(names) do
    local next = out == "" and name or (out .. Suggestions.KEYWORD_SEPARATOR .. name)
    if #next > Suggestions.SEARCHABLE_MAX_BYTES then break end
    out = next
  end
  return out
end

function Suggestions.splitKeywords(text)
  local out = {}
  if type(text) ~= "string" then return out end
  for name in string.gmatch(text, "[^,]+") do
    name = string.gsub(name, "^%s*(.-)%s*$", "%1")
    if name ~= "" then out[#out + 1] = name end
  end
  return out
end

local function text(v)
  if type(v) ~= "string" then return nil end
  v = string.gsub(v, "^%s*(.-)%s*$", "%1")
  if v == "" then return nil end
  return v
end

--[[
The field values for one answer. result: the daemon's `result`; write: EvaluationOptions.read's
`write` (only the chosen fields are suggested); about: {model, run, when}.
]]
function Suggestions.values(result, write, about)
  result = result or {}
  local v = {}
  local rating = tonumber(result.rating)
  if write.rating and rating and rating >= 1 and rating <= 5 then v.aiRating = tostring(math.floor(rating)) end
  if write.flag and Suggestions.FLAGS[result.flag] then v.aiFlag = result.flag end
  if write.keywords and type(result.keywords) == "table" then
    local joined = Suggestions.joinKeywords(MetadataWriter.cleanKeywords(result.keywords))
    if joined ~= "" then v.aiKeywords = joined end
  end
  if write.caption then v.aiCaption = text(result.caption) end
  if write.title then v.aiTitle = text(result.title) end
  if type(result.reasons) == "table" then
    local reasons = {}
    for _, r in ipairs(result.reasons) do
      if text(r) then reasons[#reasons + 1] = text(r) end
    end
    if #reasons > 0 then v.aiReasons = table.concat(reasons, "; ") end
  end
  v.aiModel = text(about.model)
  v.aiRun = text(about.run)
  v.aiWhen = text(about.when)
  return v
end

-- Sets every field: the ones without a value are cleared, so no older suggestion lingers.
function Suggestions.store(photo, values)
  for _, id in ipairs(Suggestions.FIELD_IDS) do photo:setPropertyForPlugin(_PLUGIN, id, values[id]) end
end

function Suggestions.clear(photo)
  Suggestions.store(photo, {})
end

-- The suggestion from the fields' values ({id = value}, as batchGetPropertyForPlugin gives), or nil.
function Suggestions.fromValues(v)
  if not v then return nil end
  local s = {
    rating = tonumber(v.aiRating),
    flag = v.aiFlag,
    keywords = v.aiKeywords and Suggestions.splitKeywords(v.aiKeywords) or nil,
    caption = v.aiCaption,
    title = v.aiTitle,
    reasons = v.aiReasons,
    model = v.aiModel,
    run = v.aiRun,
    when = v.aiWhen,
  }
  if s.rating == nil and s.flag == nil and s.keywords == nil and s.caption == nil and s.title == nil then return nil end
  return s
end

-- {[photo] = suggestion} for the photos that have one.
function Suggestions.readAll(catalog, photos)
  local values = catalog:batchGetPropertyForPlugin(photos, _PLUGIN, Suggestions.FIELD_IDS)
  local out = {}
  for _, photo in ipairs(photos) do out[photo] = Suggestions.fromValues(values[photo]) end
  return out
end

return Suggestions
