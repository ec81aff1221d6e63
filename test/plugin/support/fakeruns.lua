--[[
A stand-in for the daemon's runs API, as a DaemonClient would reach it (createRun, addRunChanges,
listRuns, getRun, undoRun), speaking exactly the contract: bodies go through JSON both ways (so
nil, Json.null and empty arrays arrive as the daemon would see them), errors are
{message, code, status} as DaemonClient gives them. Every call is recorded in `calls`.

  local runs = FakeRuns.new()            runs.calls = {{method, id?, body}}
  runs.down = true                        every call fails as with no daemon (DAEMON_DOWN)
]]
local Json = require "Json"

local FakeRuns = {}
FakeRuns.__index = FakeRuns

FakeRuns.MAX_CHANGES = 1000

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

local function view(run)
  local fields, photos, seen = {}, {}, {}
  for _, c in ipairs(run.changes) do
    if not seen[c.field] then
      seen[c.field] = true
      fields[#fields + 1] = c.field
    end
    photos[c.photo_id] = true
  end
  local count = 0
  for _ in pairs(photos) do count = count + 1 end
  return wire({ id = run.id, kind = run.kind, model = run.model or Json.null, source = run.source or Json.null, status = run.status,
    photo_count = count, change_count = #run.changes, fields = Json.array(fields), created_at = run.created_at,
    undone_at = run.undone_at or Json.null, undo = run.undo or Json.null })
end

function FakeRuns:createRun(body)
  body = self:record("createRun", nil, body)
  if self.down then return err(nil, "DAEMON_DOWN", "The Junmai daemon is not running.") end
  if body.kind ~= "apply" and body.kind ~= "evaluate" then return err(400, "VALIDATION_ERROR", "kind must be apply or evaluate") end
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
  local run = self.runs[id]
  if not run then return err(404, "RUN_NOT_FOUND", "There is no such AI run.") end
  if #body.changes == 0 or #body.changes > FakeRuns.MAX_CHANGES then return err(400, "VALIDATION_ERROR", "1 to 1000 changes per request") end
  for _, c in ipairs(body.changes) do
    assert(type(c.photo_id) == "string" and c.field, "a change needs photo_id and field")
    run.changes[#run.changes + 1] = { photo_id = c.photo_id, field = c.field, before = c.before, after = c.after,
      keywords_added = c.keywords_added or {}, keywords_created = c.keywords_created or {} }
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
  return { success = true, runs = runs, count = #self.order }
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
  local run = self.runs[id]
  if not run then return err(404, "RUN_NOT_FOUND", "There is no such AI run.") end
  if run.status == "undone" then return err(409, "RUN_ALREADY_UNDONE", "This AI run was undone already.") end
  local restored, left = 0, 0
  for _, o in ipairs(body.outcomes) do
    for _, c in ipairs(run.changes) do
      if c.photo_id == o.photo_id and c.field == o.field then
        c.undo, c.undo_reason = o.outcome, o.reason
      end
    end
    if o.outcome == "restored" then restored = restored + 1 else left = left + 1 end
  end
  local all = true
  for _, c in ipairs(run.changes) do
    if c.undo ~= "restored" then all = false end
  end
  run.status = all and "undone" or "partly_undone"
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
