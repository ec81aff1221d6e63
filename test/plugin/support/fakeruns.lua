--[[
A stand-in for the daemon's runs API, as a DaemonClient would reach it (createRun, addRunChanges,
listRuns, getRun, undoRun), speaking exactly the contract and as unkind as daemon/runs/service.ts: bodies go through JSON both
ways (so nil, Json.null and empty arrays arrive as the daemon would see them); a value of the wrong
type, a photo and field named twice in one request, or an undo naming a change the run did not
record is 400 INVALID_REQUEST; a run undone (wholly or partly) takes no more changes and no second
undo (409 RUN_ALREADY_UNDONE); a change the undo did not name is left, "not_reported"; the same
photo and field recorded again keeps its first before. Errors are {message, code, status} as
DaemonClient gives them. Every call is recorded in `calls`.

  local runs = FakeRuns.new()            runs.calls = {{method, id?, body}}
  runs.down = true                        every call fails as with no daemon (DAEMON_DOWN)
]]
local Json = require "Json"

local FakeRuns = {}
FakeRuns.__index = FakeRuns

FakeRuns.MAX_CHANGES = 1000
FakeRuns.MAX_CHANGES_PER_RUN = 100000

function FakeRuns.new()
  return setmetatable({ calls = {}, runs = {}, order = {}, nextId = 1, clock = 0 }, FakeRuns)
end

local function wire(body)
  return Json.decode(assert(Json.encode(body)))
end

local function err(status, code, message)
  return nil, { status = status, code = code, message = message }
end

function FakeRuns:record(method, id, body)
  self.calls[#self.calls + 1] = { method = method, id = id, body = body and wire(body) or nil }
  return self.calls[#self.calls].body
end

-- The daemon's order of fields (RUN_FIELDS), in which a run lists those it changed.
local RUN_FIELDS = { "rating", "pick", "title", "caption", "keywords" }

local function view(run)
  local fields, photos, seen = {}, {}, {}
  for _, c in ipairs(run.changes) do
    seen[c.field] = true
    photos[c.photo_id] = true
  end
  for _, f in ipairs(RUN_FIELDS) do
    if seen[f] then fields[#fields + 1] = f end
  end
  local count = 0
  for _ in pairs(photos) do count = count + 1 end
  return wire({ id = run.id, kind = run.kind, model = run.model or Json.null, source = run.source or Json.null, status = run.status,
    photo_count = count, change_count = #run.changes, fields = Json.array(fields), created_at = run.created_at,
    undone_at = run.undone_at or Json.null, undo = run.undo or Json.null })
end

-- The daemon's own rules (daemon/schemas/runs.ts FIELD_VALUES): the value each field takes.
local function isInt(v, lo, hi) return type(v) == "number" and v == math.floor(v) and v >= lo and v <= hi end
-- A null arrives as nil (Json.decode); that before and after were sent at all is checked before.
local VALUE = {
  rating = function(v) return v == nil or isInt(v, 0, 5) end,
  pick = function(v) return isInt(v, -1, 1) end,
  title = function(v) return v == nil or type(v) == "string" end,
  caption = function(v) return v == nil or type(v) == "string" end,
  keywords = function(v)
    if type(v) ~= "table" then return false end
    for _, p in ipairs(v) do
      if type(p) ~= "string" or p == "" then return false end
    end
    return true
  end,
}

local function invalid(message) return err(400, "INVALID_REQUEST", message) end

-- Each photo and field at most once (the daemon refuses the whole request otherwise).
local function oncePerPhotoField(items)
  local seen = {}
  for _, c in ipairs(items) do
    local key = tostring(c.field) .. "\n" .. tostring(c.photo_id)
    if seen[key] then return false end
    seen[key] = true
  end
  return true
end

local function changeOf(run, photoId, field)
  for _, c in ipairs(run.changes) do
    if c.photo_id == photoId and c.field == field then return c end
  end
end

local function alreadyUndone() return err(409, "RUN_ALREADY_UNDONE", "This AI run was already undone; it cannot be changed or undone again.") end

function FakeRuns:createRun(body)
  body = self:record("createRun", nil, body)
  if self.down then return err(nil, "DAEMON_DOWN", "The Junmai daemon is not running.") end
  if body.kind ~= "apply" and body.kind ~= "evaluate" then return invalid("kind must be apply or evaluate") end
  local id = "run-" .. self.nextId
  self.nextId = self.nextId + 1
  self.clock = self.clock + 60
  local run = { id = id, kind = body.kind, model = body.model, source = body.source, status = "open", changes = {},
    created_at = string.format("2026-11-30T20:%02d:00.000Z", math.floor(self.clock / 60) % 60) }
  self.runs[id] = run
  table.insert(self.order, 1, id)
  return { success = true, run = view(run) }
end

function FakeRuns:addRunChanges(id, changes)
  local body = self:record("addRunChanges", id, { changes = changes })
  if self.down then return err(nil, "DAEMON_DOWN", "The Junmai daemon is not running.") end
  if #body.changes == 0 or #body.changes > FakeRuns.MAX_CHANGES then return invalid("1 to 1000 changes per request") end
  for _, c in ipairs(changes) do
    if c.before == nil or c.after == nil then return invalid("a change needs before and after (null for none)") end
  end
  for _, c in ipairs(body.changes) do
    if type(c.photo_id) ~= "string" or c.photo_id == "" or not VALUE[c.field] then return invalid("a change needs a photo_id and a field") end
    if not VALUE[c.field](c.before) or not VALUE[c.field](c.after) then return invalid("before and after must be values of " .. c.field) end
    if c.field ~= "keywords" and ((c.keywords_added and #c.keywords_added > 0) or (c.keywords_created and #c.keywords_created > 0)) then
      return invalid("only a keywords change can add or create keywords")
    end
  end
  if not oncePerPhotoField(body.changes) then return invalid("name each photo and field once per request") end
  local run = self.runs[id]
  if not run then return err(404, "RUN_NOT_FOUND", "There is no such AI run.") end
  if run.status ~= "open" then return alreadyUndone() end
  if #run.changes + #body.changes > FakeRuns.MAX_CHANGES_PER_RUN then
    return invalid("A run holds at most " .. FakeRuns.MAX_CHANGES_PER_RUN .. " changes; record the rest in a new run.")
  end
  for _, c in ipairs(body.changes) do
    local known = changeOf(run, c.photo_id, c.field)
    if known then
      -- As the daemon: the first before stays (it is what undo brings back), the after is the newest.
      known.after = c.after
      for _, p in ipairs(c.keywords_added or {}) do table.insert(known.keywords_added, p) end
      for _, p in ipairs(c.keywords_created or {}) do table.insert(known.keywords_created, p) end
    else
      run.changes[#run.changes + 1] = { photo_id = c.photo_id, field = c.field, before = c.before, after = c.after,
        keywords_added = c.keywords_added or {}, keywords_created = c.keywords_created or {}, undo = Json.null, undo_reason = Json.null }
    end
  end
  return { success = true, run = view(run) }
end

function FakeRuns:listRuns(limit)
  self:record("listRuns", nil, { limit = limit })
  if self.down then return err(nil, "DAEMON_DOWN", "The Junmai daemon is not running.") end
  local runs = {}
  for i, id in ipairs(self.order) do
    if i > (limit or 20) then break end
    runs[#runs + 1] = view(self.runs[id])
  end
  return { success = true, runs = runs, count = #runs }
end

function FakeRuns:getRun(id)
  self:record("getRun", id)
  if self.down then return err(nil, "DAEMON_DOWN", "The Junmai daemon is not running.") end
  local run = self.runs[id]
  if not run then return err(404, "RUN_NOT_FOUND", "There is no such AI run.") end
  return wire({ success = true, run = view(run), changes = Json.array(run.changes) })
end

function FakeRuns:undoRun(id, outcomes)
  local body = self:record("undoRun", id, { outcomes = outcomes })
  if self.down then return err(nil, "DAEMON_DOWN", "The Junmai daemon is not running.") end
  for _, o in ipairs(body.outcomes) do
    if o.outcome ~= "restored" and o.outcome ~= "left" then return invalid("outcome must be restored or left") end
    if o.outcome == "restored" and o.reason ~= nil and o.reason ~= Json.null then return invalid("a reason is only given for a change that was left") end
  end
  if not oncePerPhotoField(body.outcomes) then return invalid("name each photo and field once") end
  local run = self.runs[id]
  if not run then return err(404, "RUN_NOT_FOUND", "There is no such AI run.") end
  if run.status ~= "open" then return alreadyUndone() end
  for _, o in ipairs(body.outcomes) do
    if not changeOf(run, o.photo_id, o.field) then
      return invalid("This run did not change the " .. o.field .. " of photo " .. o.photo_id .. ", so there is nothing of it to undo.")
    end
  end
  for _, o in ipairs(body.outcomes) do
    local c = changeOf(run, o.photo_id, o.field)
    c.undo = o.outcome
    c.undo_reason = (o.outcome == "left" and o.reason) or Json.null
  end
  -- As the daemon: a change the undo did not name was not restored.
  local restored, left = 0, 0
  for _, c in ipairs(run.changes) do
    if c.undo == Json.null then c.undo, c.undo_reason = "left", "not_reported" end
    if c.undo == "restored" then restored = restored + 1 else left = left + 1 end
  end
  run.status = left == 0 and "undone" or "partly_undone"
  run.undo = { restored = restored, left = left }
  run.undone_at = "2026-11-30T21:00:00.000Z"
  return { success = true, run = view(run) }
end

-- For specs: the calls of one method.
function FakeRuns:callsOf(method)
  local out = {}
  for _, c in ipairs(self.calls) do
    if c.method == method then out[#out + 1] = c end
  end
  return out
end

return FakeRuns
