--[[
Lightroom's own fields of a photo as the daemon's runs record them (per photo and field, the
value before and after a write): "rating" (0..5 or nil), "pick" (pickStatus -1, 0 or 1), "title"
and "caption" (text or nil), "keywords" (the photo's keyword paths, "Parent|Child", sorted).
read() and same() need no write; write() must run inside catalog:withWriteAccessDo.
]]
local Json = require "Json"

local PhotoFields = {}

PhotoFields.NAMES = { "rating", "pick", "keywords", "caption", "title" }
PhotoFields.PATH_SEPARATOR = "|"

function PhotoFields.pathOf(keyword)
  local names = {}
  local kw = keyword
  while kw do
    table.insert(names, 1, kw:getName())
    kw = kw:getParent()
  end
  return table.concat(names, PhotoFields.PATH_SEPARATOR)
end

function PhotoFields.keywordPaths(photo)
  local out = Json.array({})
  for _, kw in ipairs(photo:getRawMetadata("keywords") or {}) do out[#out + 1] = PhotoFields.pathOf(kw) end
  table.sort(out)
  return out
end

local function text(v)
  if type(v) ~= "string" or v == "" then return nil end
  return v
end

function PhotoFields.read(photo, field)
  if field == "rating" then
    local r = tonumber(photo:getRawMetadata("rating"))
    if r == 0 then return nil end
    return r
  elseif field == "pick" then
    return tonumber(photo:getRawMetadata("pickStatus")) or 0
  elseif field == "keywords" then
    return PhotoFields.keywordPaths(photo)
  end
  return text(photo:getFormattedMetadata(field))
end

-- Whether two values of a field are the same (no rating and 0 stars are; keyword paths as sets).
function PhotoFields.same(field, a, b)
  if field == "rating" then return (tonumber(a) or 0) == (tonumber(b) or 0) end
  if field == "pick" then return (tonumber(a) or 0) == (tonumber(b) or 0) end
  if field == "keywords" then
    a, b = a or {}, b or {}
    if #a ~= #b then return false end
    local set = {}
    for _, p in ipairs(a) do set[p] = true end
    for _, p in ipairs(b) do
      if not set[p] then return false end
    end
    return true
  end
  return text(a) == text(b)
end

-- Sets a scalar field (keywords are added and removed one by one, not set).
function PhotoFields.write(photo, field, value)
  if field == "rating" then
    photo:setRawMetadata("rating", value)
  elseif field == "pick" then
    photo:setRawMetadata("pickStatus", value or 0)
  elseif field == "caption" or field == "title" then
    photo:setRawMetadata(field, value or "")
  else
    error("PhotoFields.write: " .. tostring(field) .. " is not a scalar field")
  end
end

-- The keyword at `path` ("Parent|Child"), walking the catalog's tree; nil when gone.
function PhotoFields.findKeyword(catalog, path)
  local level = catalog:getKeywords()
  local found
  for name in string.gmatch(path, "[^|]+") do
    found = nil
    for _, kw in ipairs(level or {}) do
      if kw:getName() == name then found = kw break end
    end
    if not found then return nil end
    level = found:getChildren()
  end
  return found
end

return PhotoFields
