--[[
Undoing an AI run from its record in the daemon (GET /api/runs/<id>): each field goes back to
its value before the run, but only where it still holds the run's value, so an edit made by
hand since is never overwritten (it is left, "edited_since", and reported). Keywords the run
added come off those photos, and keywords it removed go back on. The outcomes go to the daemon
(POST /api/runs/<id>/undo), which marks the run undone or partly undone.

Keywords the run created are not deleted: Lightroom's SDK has no way for a plug-in to delete a
keyword (LrKeyword has no delete, LrCatalog no deleteKeyword). Those no photo uses any more are
named in the report, with Lightroom's own way to remove them: Metadata > Purge Unused Keywords.

Plain: deps = catalog, client, progress (optional), pcall, log, batchSize, timeout, nameOf(photo).
]]
local Json = require "Json"
local MetadataWriter = require "MetadataWriter"
local PhotoFields = require "PhotoFields"

local UndoRun = {}

UndoRun.BATCH_SIZE = 50

local function set(list)
  local out = {}
  for _, v in ipairs(list or {}) do out[v] = true end
  return out
end

local function hasKeyword(photo, keyword)
  for _, kw in ipairs(photo:getRawMetadata("keywords") or {}) do
    if kw == keyword then return true end
  end
  return false
end

-- Inside a write: takes the run's keywords off the photo and puts back those it removed.
local function undoKeywords(catalog, photo, change)
  for _, path in ipairs(change.keywords_added or {}) do
    local kw = PhotoFields.findKeyword(catalog, path)
    if kw and hasKeyword(photo, kw) then photo:removeKeyword(kw) end
  end
  local after = set(change.after)
  for _, path in ipairs(change.before or {}) do
    if not after[path] then
      local kw = PhotoFields.findKeyword(catalog, path)
      if kw and not hasKeyword(photo, kw) then photo:addKeyword(kw) end
    end
  end
end

-- Inside a write: one change of one photo. Returns the outcome {outcome, reason?}.
local function undoChange(catalog, photo, change)
  if change.field == "keywords" then
    undoKeywords(catalog, photo, change)
    return { outcome = "restored" }
  end
  local current = PhotoFields.read(photo, change.field)
  if not PhotoFields.same(change.field, current, change.after) then
    return { outcome = "left", reason = "edited_since" }
  end
  PhotoFields.write(photo, change.field, change.before)
  return { outcome = "restored" }
end

-- The changes grouped by photo, in the run's order.
local function byPhoto(changes)
  local order, groups = {}, {}
  for _, c in ipairs(changes or {}) do
    if not groups[c.photo_id] then
      groups[c.photo_id] = {}
      order[#order + 1] = c.photo_id
    end
    table.insert(groups[c.photo_id], c)
  end
  return order, groups
end

--[[
Undoes run `id`. Returns a report {restored = n, left = {{name, field, reason}}, unusedKeywords =
{paths}, cancelled, busy, run (the daemon's answer to the undo, when it took it)} or nil and the
daemon's error when the run could not be read or the outcomes not recorded.
]]
function UndoRun.undo(deps, id)
  local answer, err = deps.client:getRun(id)
  if not answer then return nil, err end
  local catalog, pcall = deps.catalog, deps.pcall or pcall
  local batchSize = deps.batchSize or UndoRun.BATCH_SIZE
  local actionName = LOC "$$$/Junmai/Undo/WriteAction=Junmai: undo AI run"
  local order, groups = byPhoto(answer.changes)
  local report = { restored = 0, left = {}, unusedKeywords = {}, cancelled = false, busy = false }
  local outcomes = Json.array({})
  local created = {}

  local function outcome(photoName, change, o)
    outcomes[#outcomes + 1] = { photo_id = change.photo_id, field = change.field, outcome = o.outcome, reason = o.reason }
    if o.outcome == "restored" then
      report.restored = report.restored + 1
      for _, path in ipairs(change.keywords_created or {}) do created[#created + 1] = path end
    else
      report.left[#report.left + 1] = { name = photoName, field = change.field, reason = o.reason }
    end
  end

  for first = 1, #order, batchSize do
    if deps.progress and deps.progress:isCanceled() then
      report.cancelled = true
      break
    end
    local last = math.min(first + batchSize - 1, #order)
    local status = catalog:withWriteAccessDo(actionName, function()
      for i = first, last do
        local photoId = order[i]
        local photo = catalog:getPhotoByLocalId(tonumber(photoId))
        local name = photo and deps.nameOf(photo) or photoId
        for _, change in ipairs(groups[photoId]) do
          if not photo then
            outcome(name, change, { outcome = "left", reason = "photo_missing" })
          else
            local ok, o = pcall(undoChange, catalog, photo, change)
            if not ok and deps.log then deps.log:error("undoing " .. tostring(change.field) .. " of " .. tostring(name) .. ": " .. tostring(o)) end
            outcome(name, change, ok and o or { outcome = "left", reason = "other" })
          end
        end
      end
    end, { timeout = deps.timeout or MetadataWriter.WRITE_TIMEOUT })
    if status == "aborted" then
      report.busy = true
      break
    end
    if deps.progress then deps.progress:setPortionComplete(last, #order) end
  end

  local seen = {}
  for _, path in ipairs(created) do
    local kw = not seen[path] and PhotoFields.findKeyword(catalog, path)
    seen[path] = true
    if kw and #kw:getPhotos() == 0 then report.unusedKeywords[#report.unusedKeywords + 1] = path end
  end

  if #outcomes > 0 then
    local undone, undoErr = deps.client:undoRun(id, outcomes)
    if not undone then return nil, undoErr, report end
    report.run = undone.run
  end
  return report
end

return UndoRun
