--[[
Writes evaluations into the catalog: rating, pick/reject flag, keywords, caption and title.
Keywords the catalog already has are reused where they are (KeywordWriter, with the run's
Vocabulary); new ones go under the parent keyword "Junmai AI", so they never mix with the
photographer's own. Every write is recorded, per photo and field, before and after, in the
daemon (RunRecorder), so "Undo AI Run…" can take it back.

"Replace values already set" off (the default) means: a rating, flag, caption or title the photo
already has stays; keywords are added only to a photo that has none under "Junmai AI" yet.
On means: every chosen field takes the model's answer, a flag of "none" clears a pick or
reject, and the photo's keywords under "Junmai AI" become exactly the new ones. Keywords
outside "Junmai AI" are never touched.

plan() decides (pure); the writer applies decisions in batches, one withWriteAccessDo per batch.
]]
local KeywordWriter = require "KeywordWriter"
local PhotoFields = require "PhotoFields"

local MetadataWriter = {}

MetadataWriter.PICK_STATUS = { pick = 1, reject = -1, none = 0 }
MetadataWriter.MAX_KEYWORD_LENGTH = 40
-- Seconds to wait for the catalog when another write (a plug-in, a sync) holds it.
MetadataWriter.WRITE_TIMEOUT = 30

MetadataWriter.parentKeywordName = KeywordWriter.parentName

local function trim(s)
  return (string.gsub(s, "^%s*(.-)%s*$", "%1"))
end

--[[
Keyword names as Lightroom can take them: commas, semicolons and the hierarchy characters
| < > would split or nest a name when typed, so they become spaces; empty names and repeats
(ignoring case) are dropped; names are cut to 40 characters.
]]
function MetadataWriter.cleanKeywords(list)
  local out, seen = {}, {}
  for _, raw in ipairs(type(list) == "table" and list or {}) do
    if type(raw) == "string" then
      local name = trim(string.gsub(string.gsub(raw, "[,;|<>%c]", " "), "%s+", " "))
      if #name > MetadataWriter.MAX_KEYWORD_LENGTH then
        name = trim(string.sub(name, 1, MetadataWriter.MAX_KEYWORD_LENGTH))
      end
      local key = string.lower(name)
      if name ~= "" and not seen[key] then
        seen[key] = true
        out[#out + 1] = name
      end
    end
  end
  return out
end

local function isEmptyText(s)
  return s == nil or trim(tostring(s)) == ""
end

local function sameNames(a, b)
  if #a ~= #b then return false end
  local set = {}
  for _, n in ipairs(a) do set[string.lower(n)] = true end
  for _, n in ipairs(b) do
    if not set[string.lower(n)] then return false end
  end
  return true
end

--[[
current: {rating = 0..5 or nil, pickStatus = -1|0|1 or nil, caption = text or nil, title = text or nil,
          aiKeywords = names under "Junmai AI"}
result: the daemon's answer's `result` ({rating, flag, keywords, caption, title}, only fields asked for).
options: EvaluationOptions.read(...).
Returns the changes {rating?, pickStatus?, caption?, title?, addKeywords?, removeKeywords?} and the
fields kept because the photo already had a value ({field = true}).
]]
function MetadataWriter.plan(current, result, options)
  local changes, kept = {}, {}
  local write, overwrite = options.write, options.overwrite
  result = result or {}

  local rating = tonumber(result.rating)
  if write.rating and rating and rating >= 1 and rating <= 5 then
    rating = math.floor(rating)
    local has = tonumber(current.rating) or 0
    if has == 0 or (overwrite and has ~= rating) then
      changes.rating = rating
    elseif has ~= rating then
      kept.rating = true
    end
  end

  local status = MetadataWriter.PICK_STATUS[result.flag]
  if write.flag and status ~= nil then
    local has = tonumber(current.pickStatus) or 0
    if status ~= has then
      if has == 0 or overwrite then changes.pickStatus = status else kept.flag = true end
    end
  end

  for _, field in ipairs({ "caption", "title" }) do
    local text = result[field]
    if write[field] and type(text) == "string" and not isEmptyText(text) then
      text = trim(text)
      local has = current[field]
      if isEmptyText(has) or (overwrite and has ~= text) then
        changes[field] = text
      elseif has ~= text then
        kept[field] = true
      end
    end
  end

  if write.keywords and type(result.keywords) == "table" then
    local names = MetadataWriter.cleanKeywords(result.keywords)
    local existing = current.aiKeywords or {}
    if #existing == 0 then
      if #names > 0 then changes.addKeywords = names end
    elseif overwrite then
      if not sameNames(existing, names) then
        local wanted, had = {}, {}
        for _, n in ipairs(names) do wanted[string.lower(n)] = true end
        for _, n in ipairs(existing) do had[string.lower(n)] = true end
        local add, remove = {}, {}
        for _, n in ipairs(names) do
          if not had[string.lower(n)] then add[#add + 1] = n end
        end
        for _, n in ipairs(existing) do
          if not wanted[string.lower(n)] then remove[#remove + 1] = n end
        end
        if #add > 0 then changes.addKeywords = add end
        if #remove > 0 then changes.removeKeywords = remove end
      end
    elseif not sameNames(existing, names) then
      kept.keywords = true
    end
  end
  return changes, kept
end

-- Whether two LrKeyword objects are the same keyword (Lightroom may hand out distinct proxies).
local function sameKeyword(a, b)
  if a == nil or b == nil then return false end
  if a == b then return true end
  local ia, ib = a.localIdentifier, b.localIdentifier
  if ia ~= nil and ib ~= nil then return ia == ib end
  return false
end

-- The keyword objects the photo has directly under `parent`.
local function aiKeywordsOf(photo, parent)
  local out = {}
  if not parent then return out end
  for _, kw in ipairs(photo:getRawMetadata("keywords") or {}) do
    if sameKeyword(kw:getParent(), parent) then out[#out + 1] = kw end
  end
  return out
end

-- What plan() needs to know about a photo.
function MetadataWriter.readCurrent(photo, parent)
  local names = {}
  for _, kw in ipairs(aiKeywordsOf(photo, parent)) do names[#names + 1] = kw:getName() end
  return {
    rating = photo:getRawMetadata("rating"),
    pickStatus = photo:getRawMetadata("pickStatus"),
    caption = photo:getFormattedMetadata("caption"),
    title = photo:getFormattedMetadata("title"),
    aiKeywords = names,
  }
end

------------------------------------------------------------------------------------------------
-- The writer: one per run, so the parent keyword and the keywords made are looked up once.

local Writer = {}
Writer.__index = Writer

--[[
opts: catalog, options (EvaluationOptions.read), pcall (LrTasks.pcall), log (optional),
      timeout (seconds to wait for the catalog), vocabulary (Vocabulary.read, optional),
      recorder (RunRecorder, optional: where the writes are recorded).
]]
function MetadataWriter.new(opts)
  local actionName = LOC "$$$/Junmai/Write/Action=Junmai AI Evaluation"
  local timeout = opts.timeout or MetadataWriter.WRITE_TIMEOUT
  return setmetatable({
    catalog = opts.catalog,
    options = opts.options,
    pcall = opts.pcall or pcall,
    log = opts.log,
    recorder = opts.recorder,
    -- The undo entry of each catalog write.
    actionName = actionName,
    timeout = timeout,
    keywords = KeywordWriter.new({ catalog = opts.catalog, vocabulary = opts.vocabulary, actionName = actionName, timeout = timeout }),
  }, Writer)
end

function MetadataWriter.busyMessage(seconds)
  return LOC("$$$/Junmai/Write/Busy=Lightroom's catalog stayed busy for ^1 s (another plug-in or a sync was writing), so the evaluation was not saved. Try this photo again.", tostring(seconds))
end

local SCALARS = { { "rating", "rating" }, { "pickStatus", "pick" }, { "caption", "caption" }, { "title", "title" } }

-- Applies the changes; returns the runs API's record of each field written.
function Writer:apply(photo, changes)
  local records = {}
  local id = tostring(photo.localIdentifier)
  for _, s in ipairs(SCALARS) do
    local value = changes[s[1]]
    if value ~= nil then
      local before = PhotoFields.read(photo, s[2])
      PhotoFields.write(photo, s[2], value)
      records[#records + 1] = { photo_id = id, field = s[2], before = before, after = PhotoFields.read(photo, s[2]) }
    end
  end
  if changes.removeKeywords or changes.addKeywords then
    local before = PhotoFields.keywordPaths(photo)
    if changes.removeKeywords then
      local drop = {}
      for _, n in ipairs(changes.removeKeywords) do drop[string.lower(n)] = true end
      for _, kw in ipairs(aiKeywordsOf(photo, self.keywords.parentKeyword)) do
        if drop[string.lower(kw:getName())] then photo:removeKeyword(kw) end
      end
    end
    local added, created = {}, {}
    if changes.addKeywords then added, created = self.keywords:add(photo, changes.addKeywords) end
    records[#records + 1] = { photo_id = id, field = "keywords", before = before, after = PhotoFields.keywordPaths(photo),
      keywords_added = added, keywords_created = created }
  end
  return records
end

local function written(changes)
  local out = {}
  if changes.rating then out.rating = true end
  if changes.pickStatus then out.flag = true end
  if changes.caption then out.caption = true end
  if changes.title then out.title = true end
  if changes.addKeywords or changes.removeKeywords then out.keywords = true end
  return out
end

--[[
Writes a batch: entries {photo, result, model}. Returns one outcome per entry, in order:
{ok = true, written = {field = true}, kept = {field = true}} or {ok = false, message}.
Must be called from an async task (Lightroom's rule for catalog writes). The batch's writes are
recorded once its catalog write is done: no HTTP request waits inside a write.
]]
function Writer:write(entries)
  local outcomes = {}
  if self.options.write.keywords and not self.keywords.parentKeyword then
    local ok, parentOrErr, status = self.pcall(function() return self.keywords:prepare() end)
    if not ok or not parentOrErr then
      local why = (ok and status == "aborted") and MetadataWriter.busyMessage(self.timeout)
        or LOC "$$$/Junmai/Write/ParentFailed=Junmai could not make its keyword ^U+201CJunmai AI^U+201D, so the evaluation was not saved."
      if not ok and self.log then self.log:error("parent keyword: " .. tostring(parentOrErr)) end
      for i = 1, #entries do outcomes[i] = { ok = false, message = why } end
      return outcomes
    end
  end
  local catalog = self.catalog
  local records = {}
  local status = catalog:withWriteAccessDo(self.actionName, function()
    for i, entry in ipairs(entries) do
      local ok, err = self.pcall(function()
        local changes, kept = MetadataWriter.plan(MetadataWriter.readCurrent(entry.photo, self.keywords.parentKeyword), entry.result, self.options)
        records[i] = self:apply(entry.photo, changes)
        outcomes[i] = { ok = true, written = written(changes), kept = kept }
      end)
      if not ok then
        records[i] = nil
        if self.log then self.log:error("writing metadata: " .. tostring(err)) end
        outcomes[i] = { ok = false, message = LOC "$$$/Junmai/Write/Failed=Lightroom refused to save the evaluation to this photo; the details are in Junmai.log." }
      end
    end
  end, { timeout = self.timeout })
  if status == "aborted" then
    for i = 1, #entries do outcomes[i] = { ok = false, message = MetadataWriter.busyMessage(self.timeout) } end
    return outcomes
  end
  if self.recorder then
    for i, entry in ipairs(entries) do
      for _, r in ipairs(records[i] or {}) do self.recorder:add(r, entry.model) end
    end
    self.recorder:flush()
  end
  return outcomes
end

return MetadataWriter
