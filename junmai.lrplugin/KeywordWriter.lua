--[[
Puts keywords on photos by name: a name the catalog already has (Vocabulary) is that keyword,
wherever it is in the tree; any other name becomes a child of "Junmai AI", made once. Tells
which keywords it added to each photo and which it created, for the run's record (Undo).

prepare() makes "Junmai AI" in a write of its own (Lightroom hands out a new keyword for use as
a parent only once its write is done); add() runs inside the caller's write.
]]
local PhotoFields = require "PhotoFields"
local Vocabulary = require "Vocabulary"

local KeywordWriter = {}
KeywordWriter.__index = KeywordWriter

function KeywordWriter.parentName()
  return LOC "$$$/Junmai/Keyword/Parent=Junmai AI"
end

-- opts: catalog, vocabulary (Vocabulary.read, optional), actionName, timeout.
function KeywordWriter.new(opts)
  return setmetatable({
    catalog = opts.catalog, vocabulary = opts.vocabulary, actionName = opts.actionName,
    timeout = opts.timeout, made = {},
  }, KeywordWriter)
end

-- Returns the parent keyword, or nil and "aborted" when the catalog stayed busy.
function KeywordWriter:prepare()
  if self.parentKeyword then return self.parentKeyword end
  local catalog, made = self.catalog, nil
  local status = catalog:withWriteAccessDo(self.actionName, function()
    made = catalog:createKeyword(KeywordWriter.parentName(), {}, false, nil, true)
  end, { timeout = self.timeout })
  if status == "aborted" then return nil, "aborted" end
  self.parentKeyword = made
  return made
end

local function childNamed(parent, name)
  local key = string.lower(name)
  for _, kw in ipairs(parent:getChildren() or {}) do
    if string.lower(kw:getName()) == key then return kw end
  end
end

-- The keyword for `name`, and whether it was created now.
function KeywordWriter:keyword(name)
  local key = string.lower(name)
  local kw = Vocabulary.find(self.vocabulary, name) or self.made[key]
  if kw then return kw, false end
  local existing = childNamed(self.parentKeyword, name)
  if existing then
    self.made[key] = existing
    return existing, false
  end
  kw = self.catalog:createKeyword(name, {}, true, self.parentKeyword, true)
  self.made[key] = kw
  return kw, true
end

--[[
Inside a write: puts the keywords named on the photo. Returns the paths added (not on the photo
before) and the paths of keywords created for them.
]]
function KeywordWriter:add(photo, names)
  local had = {}
  for _, kw in ipairs(photo:getRawMetadata("keywords") or {}) do had[PhotoFields.pathOf(kw)] = true end
  local added, created = {}, {}
  for _, name in ipairs(names) do
    local kw, isNew = self:keyword(name)
    local path = PhotoFields.pathOf(kw)
    if isNew then created[#created + 1] = path end
    if not had[path] then
      photo:addKeyword(kw)
      had[path] = true
      added[#added + 1] = path
    end
  end
  return added, created
end

return KeywordWriter
