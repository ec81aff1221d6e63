--[[
A Lightroom catalog with photos and keywords, as strict as Lightroom about writing: metadata,
keywords and keyword creation raise unless inside withWriteAccessDo (which itself needs an async
task and refuses nesting). Every write is recorded, so specs can read exactly what happened:
  catalog._writes   {action, status} per withWriteAccessDo
  photo._calls      {op = "setRawMetadata" | "addKeyword" | "removeKeyword", key, value}
  catalog._created  keyword names made, in order ("Junmai AI/dog")
  catalog._collections  top-level collections made (createCollection), each with _photos
  catalog._reads    how many withReadAccessDo gates were opened
  catalog._keywordReads  calls of getKeywords (a walk of the keyword tree starts there)
catalog._busy = true makes withWriteAccessDo answer "aborted" (another writer holds the catalog).

The plug-in's own metadata (LrMetadataProvider, validated by sdk/metadata.lua) is as strict as
Lightroom: setPropertyForPlugin takes the plug-in object (_PLUGIN), only inside a write, only a
declared field, and only a value of the field's type (a string for "string" and "url", one of
the values of an "enum"; a searchable string of at most 511 bytes); getPropertyForPlugin raises
for an undeclared field unless told not to (noThrow).

Catalog.new{photos = {{fileName, rating, pickStatus, caption, title, isVideo, copyName, keywords = {"Parent/child"|"name"}, jpeg = comment, renderError}}, targets = {indexes},
            keywords = {"Parent/child", ...} (in the tree, on no photo), synonyms = {name = {synonym, ...}}}
]]
local Catalog = {}
Catalog.__index = Catalog

local Photo = {}
Photo.__index = Photo

local Keyword = {}
Keyword.__index = Keyword

local metadata = require "sdk.metadata"

local nextId = 1000
local pluginMetadata

-- The plug-in's metadata definition, read from its Info.lua once.
local function definition()
  if not pluginMetadata then
    pluginMetadata = metadata.plugin(require("sdk").pluginPath)
  end
  return pluginMetadata
end

local function newId()
  nextId = nextId + 1
  return nextId
end

local function LrTasks()
  return require "sdk.LrTasks"
end

------------------------------------------------------------------------------------------------
-- Keywords

function Keyword:getName() return self._name end
function Keyword:getParent() return self._parent end
function Keyword:getSynonyms() return self._synonyms end
function Keyword:getChildren()
  -- SDK: must be called from within an asynchronous task.
  if not LrTasks().canYield() then error("LrKeyword:getChildren must be called from an async task", 2) end
  local out = {}
  for i, kw in ipairs(self._children) do out[i] = kw end
  return out
end

function Keyword:getPhotos()
  local out = {}
  for _, photo in ipairs(self._catalog._photos) do
    for _, kw in ipairs(photo._keywords) do
      if kw == self then out[#out + 1] = photo break end
    end
  end
  return out
end

function Keyword:path()
  if self._parent then return self._parent:path() .. "/" .. self._name end
  return self._name
end

------------------------------------------------------------------------------------------------
-- Photos

local RAW_READ = { rating = true, pickStatus = true, keywords = true, isVideo = true, fileFormat = true, path = true }
local FORMATTED_READ = { fileName = true, caption = true, title = true, copyName = true }

--[[
Since Lightroom 3.0 a photo's metadata can be read outside the catalog gates, but only from a
task (SDK API reference, LrPhoto:getFormattedMetadata: "must be called from within a task
started using LrTasks"). The plug-in's own reads are held to that; a spec may read anywhere.
]]
local function mustRead(what)
  local caller = debug.getinfo(3, "S")
  if caller and string.find(caller.source, "junmai.lrplugin/", 1, true) and not LrTasks().canYield() then
    error("LrPhoto:" .. what .. " must be called from within a task (LrTasks.startAsyncTask)", 3)
  end
end

function Photo:getRawMetadata(key)
  mustRead("getRawMetadata")
  assert(RAW_READ[key], "LrPhoto:getRawMetadata: the shim does not know " .. tostring(key))
  if key == "keywords" then
    local out = {}
    for i, kw in ipairs(self._keywords) do out[i] = kw end
    return out
  end
  if key == "isVideo" then return self._meta.isVideo == true end
  if key == "fileFormat" then return self._meta.isVideo and "VIDEO" or "RAW" end
  if key == "path" then return "/photos/" .. self._meta.fileName end
  if key == "pickStatus" then return self._meta.pickStatus or 0 end
  return self._meta[key]
end

function Photo:getFormattedMetadata(key)
  mustRead("getFormattedMetadata")
  assert(FORMATTED_READ[key], "LrPhoto:getFormattedMetadata: the shim does not know " .. tostring(key))
  local v = self._meta[key]
  if v == nil and key ~= "fileName" then return "" end
  return v
end

local function mustWrite(photo, what)
  if not photo._catalog._writing then
    error("LrPhoto:" .. what .. ": the catalog is not open for writing (call inside catalog:withWriteAccessDo)", 3)
  end
end

function Photo:setRawMetadata(key, value)
  mustWrite(self, "setRawMetadata")
  if key == "rating" then
    assert(value == nil or (type(value) == "number" and value == math.floor(value) and value >= 0 and value <= 5), "rating must be nil or 0..5, got " .. tostring(value))
  elseif key == "pickStatus" then
    assert(value == -1 or value == 0 or value == 1, "pickStatus must be -1, 0 or 1, got " .. tostring(value))
  elseif key == "caption" or key == "title" then
    assert(type(value) == "string", key .. " must be text")
  else
    error("LrPhoto:setRawMetadata: the shim does not know " .. tostring(key))
  end
  self._meta[key] = value
  self._calls[#self._calls + 1] = { op = "setRawMetadata", key = key, value = value }
end

function Photo:addKeyword(keyword)
  mustWrite(self, "addKeyword")
  assert(getmetatable(keyword) == Keyword, "addKeyword needs an LrKeyword")
  for _, kw in ipairs(self._keywords) do
    if kw == keyword then return end
  end
  self._keywords[#self._keywords + 1] = keyword
  self._calls[#self._calls + 1] = { op = "addKeyword", value = keyword:path() }
end

function Photo:removeKeyword(keyword)
  mustWrite(self, "removeKeyword")
  for i, kw in ipairs(self._keywords) do
    if kw == keyword then
      table.remove(self._keywords, i)
      self._calls[#self._calls + 1] = { op = "removeKeyword", value = keyword:path() }
      return
    end
  end
end

------------------------------------------------------------------------------------------------
-- The plug-in's own metadata

local function pluginIdOf(plugin)
  if type(plugin) == "table" then return plugin.id end
  return plugin
end

local function declaredField(fieldId, pluginId, noThrow, what)
  local def = definition()
  local field = pluginId == def.pluginId and def.fields[fieldId] or nil
  if not field and not noThrow then
    error("LrPhoto:" .. what .. ": the plug-in " .. tostring(pluginId) .. " declares no field " .. tostring(fieldId), 3)
  end
  return field
end

function Photo:getPropertyForPlugin(plugin, fieldId, optVersion, noThrow)
  local _ = optVersion
  local pluginId = pluginIdOf(plugin)
  if not declaredField(fieldId, pluginId, noThrow, "getPropertyForPlugin") then return nil end
  return (self._props[fieldId])
end

local function checkValue(field, value)
  if value == nil then return end
  if field.dataType == "string" or field.dataType == "url" then
    if type(value) ~= "string" then
      error("LrPhoto:setPropertyForPlugin: " .. field.id .. " takes a string, got " .. type(value), 3)
    end
  elseif field.dataType == "enum" then
    local allowed = field.values.allowPluginToSetOtherValues
    for _, v in ipairs(field.values) do
      if v.value == value then allowed = true end
    end
    if not allowed then error("LrPhoto:setPropertyForPlugin: " .. tostring(value) .. " is not a value of " .. field.id, 3) end
  else
    local t = type(value)
    if t ~= "string" and t ~= "number" and t ~= "boolean" then
      error("LrPhoto:setPropertyForPlugin: " .. field.id .. " takes a string, number or boolean, got " .. t, 3)
    end
  end
  if field.searchable and type(value) == "string" and #value > metadata.SEARCHABLE_MAX_BYTES then
    error("LrPhoto:setPropertyForPlugin: " .. field.id .. " is searchable and takes at most 511 bytes, got " .. #value, 3)
  end
end

function Photo:setPropertyForPlugin(plugin, fieldId, value, optVersion)
  local _ = optVersion
  if type(plugin) ~= "table" or plugin ~= _PLUGIN then
    error("LrPhoto:setPropertyForPlugin: the first argument must be the plug-in object (_PLUGIN)", 2)
  end
  mustWrite(self, "setPropertyForPlugin")
  local field = declaredField(fieldId, plugin.id, false, "setPropertyForPlugin")
  checkValue(field, value)
  self._props[fieldId] = value
  self._calls[#self._calls + 1] = { op = "setPropertyForPlugin", key = fieldId, value = value }
end

-- For specs: the photo's plug-in fields that hold a value.
function Photo:_properties()
  local out = {}
  for k, v in pairs(self._props) do out[k] = v end
  return out
end

-- For specs: the photo's keyword paths, sorted ("Junmai AI/dog", "travel").
function Photo:_keywordPaths()
  local out = {}
  for _, kw in ipairs(self._keywords) do out[#out + 1] = kw:path() end
  table.sort(out)
  return out
end

-- For specs: the calls of one kind.
function Photo:_callsOf(op)
  local out = {}
  for _, c in ipairs(self._calls) do
    if c.op == op then out[#out + 1] = c end
  end
  return out
end

------------------------------------------------------------------------------------------------
-- The catalog

function Catalog:_findKeyword(name, parent)
  local list = parent and parent._children or self._rootKeywords
  for _, kw in ipairs(list) do
    if string.lower(kw._name) == string.lower(name) then return kw end
  end
end

-- Makes keywords for a path "A/B/C" outside any write (setting up a spec's catalog).
function Catalog:_keywordPath(path)
  local parent
  for name in string.gmatch(path, "[^/]+") do
    local kw = self:_findKeyword(name, parent)
    if not kw then
      kw = setmetatable({ _name = name, _parent = parent, _children = {}, _synonyms = self._synonymsFor[name] or {}, localIdentifier = newId(), _catalog = self }, Keyword)
      table.insert(parent and parent._children or self._rootKeywords, kw)
    end
    parent = kw
  end
  return parent
end

function Catalog:createKeyword(name, synonyms, includeOnExport, parent, returnExisting)
  if not self._writing then
    error("LrCatalog:createKeyword: the catalog is not open for writing (call inside catalog:withWriteAccessDo)", 2)
  end
  assert(type(name) == "string" and name ~= "", "createKeyword needs a name")
  assert(parent == nil or getmetatable(parent) == Keyword, "createKeyword's parent must be an LrKeyword or nil")
  local existing = self:_findKeyword(name, parent)
  if existing then
    if returnExisting then return existing end
    return false
  end
  local kw = setmetatable({ _name = name, _parent = parent, _children = {}, _synonyms = synonyms or {},
    _includeOnExport = includeOnExport, localIdentifier = newId(), _catalog = self }, Keyword)
  table.insert(parent and parent._children or self._rootKeywords, kw)
  self._created[#self._created + 1] = kw:path()
  return kw
end

-- Reads in one gate: no write comes between them. Counted in catalog._reads.
function Catalog:withReadAccessDo(fn)
  assert(type(fn) == "function", "withReadAccessDo needs a function")
  self._reads = self._reads + 1
  return fn()
end

function Catalog:withWriteAccessDo(actionName, fn, timeoutParams)
  local _ = timeoutParams
  if not LrTasks().canYield() then error("LrCatalog:withWriteAccessDo must be called from an async task", 2) end
  if self._writing then error("LrCatalog:withWriteAccessDo cannot be nested", 2) end
  assert(type(actionName) == "string" and actionName ~= "", "withWriteAccessDo needs an action name")
  if self._busy then
    self._writes[#self._writes + 1] = { action = actionName, status = "aborted" }
    return "aborted"
  end
  self._writing = true
  local ok, err = LrTasks().pcall(fn, {})
  self._writing = false
  self._writes[#self._writes + 1] = { action = actionName, status = ok and "executed" or "failed" }
  if not ok then error(err, 0) end
  return "executed"
end

------------------------------------------------------------------------------------------------
-- Collections (top level only): made, filled and emptied only inside withWriteAccessDo.

local Collection = {}
Collection.__index = Collection

function Collection:getName() return self._name end
function Collection:getPhotos()
  local out = {}
  for i, p in ipairs(self._photos) do out[i] = p end
  return out
end

local function collectionWrite(collection, what)
  if not collection._catalog._writing then
    error("LrCollection:" .. what .. ": the catalog is not open for writing (call inside catalog:withWriteAccessDo)", 3)
  end
end

function Collection:addPhotos(photos)
  collectionWrite(self, "addPhotos")
  for _, photo in ipairs(photos) do
    assert(getmetatable(photo) == Photo, "addPhotos needs LrPhotos")
    local has = false
    for _, p in ipairs(self._photos) do if p == photo then has = true end end
    if not has then self._photos[#self._photos + 1] = photo end
  end
end

function Collection:removePhotos(photos)
  collectionWrite(self, "removePhotos")
  for _, photo in ipairs(photos) do
    for i, p in ipairs(self._photos) do
      if p == photo then table.remove(self._photos, i) break end
    end
  end
end

function Catalog:createCollection(name, parent, canReturnPrior)
  if not self._writing then
    error("LrCatalog:createCollection: the catalog is not open for writing (call inside catalog:withWriteAccessDo)", 2)
  end
  assert(type(name) == "string" and name ~= "", "createCollection needs a name")
  assert(parent == nil, "the shim makes top-level collections only")
  for _, c in ipairs(self._collections) do
    if c._name == name then
      if canReturnPrior then return c end
      error("LrCatalog:createCollection: a collection named " .. name .. " exists already", 2)
    end
  end
  local c = setmetatable({ _name = name, _photos = {}, _catalog = self, localIdentifier = newId() }, Collection)
  self._collections[#self._collections + 1] = c
  return c
end

function Catalog:getChildCollections()
  local out = {}
  for i, c in ipairs(self._collections) do out[i] = c end
  return out
end

-- For specs: the collection named `name`, or nil.
function Catalog:_collection(name)
  for _, c in ipairs(self._collections) do
    if c._name == name then return c end
  end
end

function Catalog:getTargetPhotos()
  if self._targets then return self._targets end
  return self._photos
end

function Catalog:getAllPhotos()
  return self._photos
end

function Catalog:getKeywords()
  self._keywordReads = self._keywordReads + 1
  local out = {}
  for i, kw in ipairs(self._rootKeywords) do out[i] = kw end
  return out
end

function Catalog:getPhotoByLocalId(id)
  assert(type(id) == "number", "LrCatalog:getPhotoByLocalId takes a number")
  for _, photo in ipairs(self._photos) do
    if photo.localIdentifier == id then return photo end
  end
  return nil
end

-- Keyed by photo, as Lightroom answers: {[photo] = {fieldId = value}}.
function Catalog:batchGetPropertyForPlugin(photos, plugin, fieldIds)
  local out = {}
  for _, photo in ipairs(photos) do
    assert(photo._catalog == self, "batchGetPropertyForPlugin: a photo of another catalog")
    local values = {}
    for _, id in ipairs(fieldIds) do values[id] = photo:getPropertyForPlugin(plugin, id) end
    out[photo] = values
  end
  return out
end

function Catalog:findPhotosWithProperty(pluginId, fieldId, version)
  local _ = version
  declaredField(fieldId, pluginId, false, "findPhotosWithProperty")
  local out = {}
  for _, photo in ipairs(self._photos) do
    if photo._props[fieldId] ~= nil then out[#out + 1] = photo end
  end
  return out
end

function Catalog:_keywordAt(path)
  local parent
  for name in string.gmatch(path, "[^/]+") do
    parent = self:_findKeyword(name, parent)
    if not parent then return nil end
  end
  return parent
end

function Catalog.new(opts)
  opts = opts or {}
  local catalog = setmetatable({ _photos = {}, _rootKeywords = {}, _writes = {}, _created = {}, _collections = {},
    _writing = false, _reads = 0, _keywordReads = 0, _synonymsFor = opts.synonyms or {} }, Catalog)
  for i, p in ipairs(opts.photos or {}) do
    local meta = {}
    for k, v in pairs(p) do meta[k] = v end
    meta.fileName = meta.fileName or string.format("IMG_%04d.CR3", i)
    local photo = setmetatable({ _catalog = catalog, _meta = meta, _keywords = {}, _calls = {}, _props = {},
      localIdentifier = newId(), _jpeg = p.jpeg, _renderError = p.renderError }, Photo)
    for _, path in ipairs(p.keywords or {}) do
      photo._keywords[#photo._keywords + 1] = catalog:_keywordPath(path)
    end
    catalog._photos[#catalog._photos + 1] = photo
  end
  for _, path in ipairs(opts.keywords or {}) do catalog:_keywordPath(path) end
  if opts.targets then
    catalog._targets = {}
    for _, i in ipairs(opts.targets) do catalog._targets[#catalog._targets + 1] = catalog._photos[i] end
  end
  return catalog
end

return Catalog
