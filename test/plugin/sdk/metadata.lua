--[[
Lightroom's rules for a plug-in's metadata definition (SDK guide, "Adding custom metadata" and
"Adding custom metadata tagsets"), checked as Lightroom checks them when it loads the plug-in:
  * schemaVersion is a number; metadataFieldsForPhotos an array of fields;
  * a field id (and a tagset id) is a Lua-style name: a letter, then letters or digits;
  * dataType, when given, is "string", "enum" or "url"; `values` is required for "enum" and
    refused otherwise, each entry {value = string|number|boolean|nil, title}, one nil at most;
  * readOnly and searchable need a title; browsable needs searchable.
metadata.plugin() loads the definition Info.lua names (LrMetadataProvider), validated.
]]
local metadata = {}

local DATA_TYPES = { string = true, enum = true, url = true }
-- Strings stored in a searchable field must not exceed this many bytes.
metadata.SEARCHABLE_MAX_BYTES = 511

local function isName(id)
  return type(id) == "string" and string.match(id, "^%a[%w]*$") ~= nil
end

function metadata.validate(def)
  assert(type(def) == "table", "metadata provider: the script must return a table")
  assert(type(def.schemaVersion) == "number", "metadata provider: schemaVersion must be a number")
  assert(type(def.metadataFieldsForPhotos) == "table", "metadata provider: metadataFieldsForPhotos is required")
  local fields = {}
  for i, f in ipairs(def.metadataFieldsForPhotos) do
    local where = "metadata provider: field " .. i .. " (" .. tostring(f.id) .. ")"
    assert(isName(f.id), where .. ": the id must be a letter followed by letters or digits")
    assert(not fields[f.id], where .. ": the id is declared twice")
    assert(f.dataType == nil or DATA_TYPES[f.dataType], where .. ": dataType must be string, enum or url")
    if f.dataType == "enum" then
      assert(type(f.values) == "table" and #f.values > 0, where .. ": an enum needs values")
      local nils = 0
      for _, v in ipairs(f.values) do
        assert(type(v.title) == "string", where .. ": every value needs a title")
        local t = type(v.value)
        assert(t == "nil" or t == "string" or t == "number" or t == "boolean", where .. ": a value must be a string, number, boolean or nil")
        if v.value == nil then nils = nils + 1 end
      end
      assert(nils <= 1, where .. ": only one value may be nil")
    else
      assert(f.values == nil, where .. ": values are allowed only with dataType enum")
    end
    assert(not f.readOnly or f.title, where .. ": readOnly needs a title")
    assert(not f.searchable or f.title, where .. ": searchable needs a title")
    assert(not f.browsable or f.searchable, where .. ": browsable needs searchable")
    fields[f.id] = f
  end
  assert(def.updateFromEarlierSchemaVersion == nil or type(def.updateFromEarlierSchemaVersion) == "function",
    "metadata provider: updateFromEarlierSchemaVersion must be a function")
  return fields
end

function metadata.validateTagset(set, declared, pluginId)
  assert(isName(set.id), "tagset: the id must be a letter followed by letters or digits")
  assert(type(set.title) == "string", "tagset: a title is required")
  assert(type(set.items) == "table", "tagset: items are required")
  for _, item in ipairs(set.items) do
    local name = type(item) == "table" and item[1] or item
    assert(type(name) == "string", "tagset: an item must name a field")
    local own = string.match(name, "^" .. string.gsub(pluginId, "%.", "%%.") .. "%.(.+)$")
    if own then assert(declared[own], "tagset: " .. name .. " is not declared by the metadata provider") end
    assert(own or string.match(name, "^com%.adobe%."), "tagset: " .. name .. " is neither Lightroom's nor this plug-in's")
  end
end

local function load(root, file)
  local chunk = assert(loadfile(root .. "/" .. file))
  return chunk()
end

-- The plug-in's definition: {fields = {id = field}, pluginId, def, tagsets}.
function metadata.plugin(root)
  local info = load(root, "Info.lua")
  local def = load(root, info.LrMetadataProvider)
  local fields = metadata.validate(def)
  local tagsets = {}
  local factory = info.LrMetadataTagsetFactory
  if type(factory) == "string" then factory = { factory } end
  for _, file in ipairs(factory or {}) do
    local set = load(root, file)
    metadata.validateTagset(set, fields, info.LrToolkitIdentifier)
    tagsets[#tagsets + 1] = set
  end
  return { fields = fields, pluginId = info.LrToolkitIdentifier, def = def, tagsets = tagsets }
end

return metadata
