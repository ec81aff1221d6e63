--[[
Reviewing AI suggestions (Suggestions) before anything of the photo changes: per photo and field
the current value beside the suggested one; the photographer accepts or rejects each photo and
each field; accepted fields are written to the photos in batches, one catalog write per batch
(a long write would freeze Lightroom), recorded as a run ("apply") so it can be undone; a photo
reviewed has its suggestions cleared, whatever was accepted of them. Photos left unchecked keep
their suggestions for later.

Plain: Lightroom comes in through deps (catalog, client, progress, pcall, log, vocabulary).
Property keys: "p<i>" (photo i accepted) and "p<i>_<field>" (its field accepted).
]]
local KeywordWriter = require "KeywordWriter"
local MetadataWriter = require "MetadataWriter"
local PhotoFields = require "PhotoFields"
local RunRecorder = require "RunRecorder"
local Suggestions = require "Suggestions"

local Review = {}

Review.FIELDS = { "rating", "flag", "keywords", "caption", "title" }
Review.BATCH_SIZE = 50
-- Photos shown in one review; the rest keep their suggestions for the next one.
Review.MAX_ROWS = 200

function Review.photoKey(i) return "p" .. i end
function Review.fieldKey(i, field) return "p" .. i .. "_" .. field end

local FLAG_LABELS = {
  [1] = function() return LOC "$$$/Junmai/Review/Pick=Pick" end,
  [-1] = function() return LOC "$$$/Junmai/Review/Reject=Reject" end,
  [0] = function() return LOC "$$$/Junmai/Review/Unflagged=Unflagged" end,
}

-- A field's value as the review shows it ("" when there is none).
function Review.display(field, value)
  if field == "rating" then
    local n = tonumber(value) or 0
    if n == 0 then return LOC "$$$/Junmai/Review/NoRating=no rating" end
    return string.rep("*", n)
  elseif field == "flag" then
    return FLAG_LABELS[tonumber(value) or 0]()
  elseif field == "keywords" then
    return table.concat(value or {}, ", ")
  end
  return value or ""
end

-- The suggested value in the form PhotoFields reads the photo's (flag as pickStatus).
local function suggestedValue(suggestion, field)
  if field == "flag" then return MetadataWriter.PICK_STATUS[suggestion.flag] end
  return suggestion[field]
end

local function currentValue(photo, field)
  if field == "flag" then return PhotoFields.read(photo, "pick") end
  if field == "keywords" then
    -- The names the photo has, to compare with the names suggested.
    local names = {}
    for _, kw in ipairs(photo:getRawMetadata("keywords") or {}) do names[#names + 1] = kw:getName() end
    table.sort(names)
    return names
  end
  return PhotoFields.read(photo, field)
end

-- Whether accepting the field would change the photo.
local function differs(field, current, suggested)
  if field == "keywords" then
    local had = {}
    for _, n in ipairs(current) do had[string.lower(n)] = true end
    for _, n in ipairs(suggested) do
      if not had[string.lower(n)] then return true end
    end
    return false
  end
  if field == "flag" then return (tonumber(current) or 0) ~= suggested end
  return not PhotoFields.same(field, current, suggested)
end

--[[
The rows of the review: the photos with suggestions, in order, at most MAX_ROWS. A row:
{photo, name, suggestion, fields = {{field, current, suggested, differs}}} (texts for display).
Returns rows and how many photos with suggestions were left out.
]]
function Review.rows(catalog, photos, nameOf)
  local all = Suggestions.readAll(catalog, photos)
  local rows, more = {}, 0
  for _, photo in ipairs(photos) do
    local s = all[photo]
    if s then
      if #rows >= Review.MAX_ROWS then
        more = more + 1
      else
        local row = { photo = photo, name = nameOf(photo), suggestion = s, fields = {} }
        for _, field in ipairs(Review.FIELDS) do
          local suggested = suggestedValue(s, field)
          if suggested ~= nil then
            local current = currentValue(photo, field)
            row.fields[#row.fields + 1] = {
              field = field, current = Review.display(field, current), suggested = Review.display(field, suggested),
              differs = differs(field, current, suggested),
            }
          end
        end
        rows[#rows + 1] = row
      end
    end
  end
  return rows, more
end

--[[
The runs of suggestions in the catalog, newest first: {run, when, model, photos}. A run is the
stamp an evaluation that only suggests writes to every photo's aiRun ("20261130-204200", so the
stamps sort by time); Lightroom finds the photos with it (catalog:findPhotosWithProperty).
]]
function Review.suggestionRuns(catalog)
  local photos = catalog:findPhotosWithProperty(_PLUGIN.id, "aiRun") or {}
  local values = catalog:batchGetPropertyForPlugin(photos, _PLUGIN, { "aiRun", "aiWhen", "aiModel" })
  local runs, byStamp = {}, {}
  for _, photo in ipairs(photos) do
    local v = values[photo] or {}
    if v.aiRun then
      local run = byStamp[v.aiRun]
      if not run then
        run = { run = v.aiRun, when = v.aiWhen, model = v.aiModel, photos = {} }
        byStamp[v.aiRun] = run
        runs[#runs + 1] = run
      end
      run.photos[#run.photos + 1] = photo
    end
  end
  table.sort(runs, function(a, b) return a.run > b.run end)
  return runs
end

-- Every photo accepted; each field accepted when it would change something.
function Review.defaults(props, rows)
  for i, row in ipairs(rows) do
    props[Review.photoKey(i)] = true
    for _, f in ipairs(row.fields) do props[Review.fieldKey(i, f.field)] = f.differs end
  end
end

-- What the photographer decided: {photo, suggestion, fields = {field = true}} per photo accepted.
function Review.decisions(props, rows)
  local out = {}
  for i, row in ipairs(rows) do
    if props[Review.photoKey(i)] then
      local fields = {}
      for _, f in ipairs(row.fields) do
        if props[Review.fieldKey(i, f.field)] then fields[f.field] = true end
      end
      out[#out + 1] = { photo = row.photo, suggestion = row.suggestion, fields = fields }
    end
  end
  return out
end

-- Inside a write: the accepted fields of one photo. Returns the runs API's records.
local function applyOne(photo, suggestion, fields, keywords)
  local records = {}
  local id = tostring(photo.localIdentifier)
  local function scalar(field, value)
    local before = PhotoFields.read(photo, field)
    if PhotoFields.same(field, before, value) then return end
    PhotoFields.write(photo, field, value)
    records[#records + 1] = { photo_id = id, field = field, before = before, after = PhotoFields.read(photo, field) }
  end
  if fields.rating then scalar("rating", suggestion.rating) end
  if fields.flag then scalar("pick", MetadataWriter.PICK_STATUS[suggestion.flag]) end
  if fields.caption then scalar("caption", suggestion.caption) end
  if fields.title then scalar("title", suggestion.title) end
  if fields.keywords and suggestion.keywords then
    local before = PhotoFields.keywordPaths(photo)
    local added, created = keywords:add(photo, suggestion.keywords)
    if #added > 0 then
      records[#records + 1] = { photo_id = id, field = "keywords", before = before, after = PhotoFields.keywordPaths(photo),
        keywords_added = added, keywords_created = created }
    end
  end
  return records
end

local function newReport(total)
  return { total = total, applied = 0, cleared = 0, written = { rating = 0, pick = 0, keywords = 0, caption = 0, title = 0 },
    cancelled = false, busy = false, failed = {}, unrecorded = 0 }
end

--[[
Applies the decisions. deps: catalog, client, progress (optional), pcall, log, vocabulary,
batchSize, timeout, nameOf(photo). Returns a report: applied (photos reviewed and cleared),
written (changes per field), cancelled, busy (the catalog stayed busy), failed ({name}),
unrecorded (changes the daemon did not take), and the recorder's run id.
]]
function Review.apply(deps, decisions)
  local catalog, pcall = deps.catalog, deps.pcall or pcall
  local batchSize = deps.batchSize or Review.BATCH_SIZE
  local timeout = deps.timeout or MetadataWriter.WRITE_TIMEOUT
  local actionName = LOC "$$$/Junmai/Review/Action=Junmai: apply AI suggestions"
  local report = newReport(#decisions)
  local keywords = KeywordWriter.new({ catalog = catalog, vocabulary = deps.vocabulary, actionName = actionName, timeout = timeout })
  local recorder = RunRecorder.new({ client = deps.client, kind = "apply", source = "review", log = deps.log })
  local progress = deps.progress

  for _, d in ipairs(decisions) do
    if d.fields.keywords and d.suggestion.keywords then
      local parent, status = keywords:prepare()
      if not parent then
        report.busy = status == "aborted"
        return report
      end
      break
    end
  end

  local done = 0
  for first = 1, #decisions, batchSize do
    if progress and progress:isCanceled() then
      report.cancelled = true
      break
    end
    local batch = {}
    for i = first, math.min(first + batchSize - 1, #decisions) do batch[#batch + 1] = decisions[i] end
    local results = {}
    local status = catalog:withWriteAccessDo(actionName, function()
      for i, d in ipairs(batch) do
        local ok, records = pcall(function()
          local r = applyOne(d.photo, d.suggestion, d.fields, keywords)
          Suggestions.clear(d.photo)
          return r
        end)
        if ok then
          results[i] = records
        else
          if deps.log then deps.log:error("applying suggestions: " .. tostring(records)) end
          report.failed[#report.failed + 1] = { name = deps.nameOf and deps.nameOf(d.photo) or tostring(d.photo.localIdentifier) }
        end
      end
    end, { timeout = timeout })
    if status == "aborted" then
      report.busy = true
      break
    end
    for i, d in ipairs(batch) do
      if results[i] then
        report.applied = report.applied + 1
        for _, r in ipairs(results[i]) do
          report.written[r.field] = report.written[r.field] + 1
          recorder:add(r, d.suggestion.model)
        end
      end
    end
    recorder:flush()
    done = done + #batch
    if progress then progress:setPortionComplete(done, #decisions) end
  end
  report.unrecorded = recorder.failed
  report.runId = recorder.id
  return report
end

--[[
Clears the suggestions of `photos`, in batches. deps: catalog, progress, batchSize, timeout.
Returns how many photos were cleared, and whether the catalog stayed busy or it was cancelled.
]]
function Review.discard(deps, photos)
  local catalog = deps.catalog
  local batchSize = deps.batchSize or Review.BATCH_SIZE
  local actionName = LOC "$$$/Junmai/Review/DiscardAction=Junmai: discard AI suggestions"
  local cleared = 0
  for first = 1, #photos, batchSize do
    if deps.progress and deps.progress:isCanceled() then return cleared, "cancelled" end
    local last = math.min(first + batchSize - 1, #photos)
    local status = catalog:withWriteAccessDo(actionName, function()
      for i = first, last do Suggestions.clear(photos[i]) end
    end, { timeout = deps.timeout or MetadataWriter.WRITE_TIMEOUT })
    if status == "aborted" then return cleared, "busy" end
    cleared = last
    if deps.progress then deps.progress:setPortionComplete(cleared, #photos) end
  end
  return cleared
end

return Review
