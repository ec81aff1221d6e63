--[[
Records an AI run's writes to Lightroom's own fields in the daemon (POST /api/runs, then
POST /api/runs/<id>/changes), so "Undo AI Run…" can put them back. The run is opened with the
first changes flushed; changes go in requests of at most MAX_CHANGES, and a run that would pass
the daemon's MAX_PER_RUN goes on in a new run (so a catalog-wide export is several runs).

A change: {photo_id, field, before, after, keywords_added?, keywords_created?} (PhotoFields'
values). The daemon refuses a request naming a photo and field twice (400), so a photo and field
added again before a flush is one change: its first before, its last after, the keywords of
both. Recording never stops a run: a failure is logged and counted (failed), and the photos
keep what was written.

opts: client (DaemonClient), kind ("apply" | "evaluate"), source (optional), log (optional).
]]
local Json = require "Json"

local RunRecorder = {}
RunRecorder.__index = RunRecorder

RunRecorder.MAX_CHANGES = 1000
-- The daemon's MAX_CHANGES_PER_RUN (daemon/schemas/runs.ts).
RunRecorder.MAX_PER_RUN = 100000

function RunRecorder.new(opts)
  return setmetatable({
    client = opts.client, kind = opts.kind, source = opts.source, log = opts.log,
    pending = {}, pendingByKey = {}, recorded = 0, failed = 0, id = nil, inRun = 0, model = nil,
  }, RunRecorder)
end

local function list(t)
  local out = Json.array({})
  for i, v in ipairs(t or {}) do out[i] = v end
  return out
end

local function union(into, more)
  local had = {}
  for _, v in ipairs(into) do had[v] = true end
  for _, v in ipairs(more) do
    if not had[v] then
      into[#into + 1] = v
      had[v] = true
    end
  end
end

-- model: the model whose answer the change comes from (the run's, once it is opened).
function RunRecorder:add(change, model)
  if self.model == nil then self.model = model end
  local key = tostring(change.field) .. "\n" .. tostring(change.photo_id)
  local known = self.pendingByKey[key]
  if known then
    if change.field == "keywords" then
      known.after = list(change.after)
      union(known.keywords_added, change.keywords_added or {})
      union(known.keywords_created, change.keywords_created or {})
    else
      known.after = change.after == nil and Json.null or change.after
    end
    return
  end
  local c = { photo_id = change.photo_id, field = change.field, before = change.before, after = change.after }
  if change.field == "keywords" then
    c.before, c.after = list(change.before), list(change.after)
    c.keywords_added, c.keywords_created = list(change.keywords_added), list(change.keywords_created)
  end
  if c.before == nil then c.before = Json.null end
  if c.after == nil then c.after = Json.null end
  self.pending[#self.pending + 1] = c
  self.pendingByKey[key] = c
end

function RunRecorder:fail(err, n)
  self.failed = self.failed + n
  if self.log then self.log:warn("run not recorded: " .. tostring(type(err) == "table" and err.message or err)) end
end

-- Opens a new run in the daemon. Returns true, or nil and the error.
function RunRecorder:open()
  local body = { kind = self.kind, model = self.model or Json.null }
  if self.source then body.source = self.source end
  local answer, err = self.client:createRun(body)
  if not answer then return nil, err end
  self.id = answer.run and answer.run.id
  self.inRun = 0
  return true
end

-- Sends what was added since the last flush. Returns true, or nil and the error.
function RunRecorder:flush()
  if #self.pending == 0 then return true end
  local pending = self.pending
  self.pending, self.pendingByKey = {}, {}
  for first = 1, #pending, RunRecorder.MAX_CHANGES do
    local chunk = Json.array({})
    for i = first, math.min(first + RunRecorder.MAX_CHANGES - 1, #pending) do chunk[#chunk + 1] = pending[i] end
    -- The daemon refuses a run more than MAX_PER_RUN changes (counting the request's in full): the rest go in a new run.
    if not self.id or self.inRun + #chunk > RunRecorder.MAX_PER_RUN then
      local opened, err = self:open()
      if not opened then
        self:fail(err, #pending - first + 1)
        return nil, err
      end
    end
    local answer, err = self.client:addRunChanges(self.id, chunk)
    if not answer then
      self:fail(err, #pending - first + 1)
      return nil, err
    end
    self.inRun = answer.run and answer.run.change_count or (self.inRun + #chunk)
    self.recorded = self.recorded + #chunk
  end
  return true
end

return RunRecorder
