--[[
The daemon's REST API as Lua calls. Every method returns the decoded answer (a table with
success = true) or nil plus an error {message, code, status} from DaemonErrors. Nothing here
raises for a network or daemon failure, so UI code can show err.message as it is.

Must be called from an async task (LrHttp's rule). The HTTP library is passed in, so specs can
run the same code over luasocket; DaemonSession.client() makes the one for the plug-in's prefs.
]]
local Json = require "Json"
local DaemonErrors = require "DaemonErrors"

local DaemonClient = {}
DaemonClient.__index = DaemonClient

-- Seconds. Reads are quick; a switch may wait for Ollama to answer, so writes get longer.
DaemonClient.READ_TIMEOUT = 10
DaemonClient.WRITE_TIMEOUT = 30
DaemonClient.HEALTH_TIMEOUT = 5
-- One photo: longer than the daemon's own Ollama idle deadline (JUNMAI_EVAL_TIMEOUT_MS, 300 s by
-- default), so that a slow model ends in the daemon's sentence rather than in a bare timeout here.
DaemonClient.EVALUATE_TIMEOUT = 330

--[[
opts: http (LrHttp or a stand-in with get/post), baseUrl, token (optional),
      urlError (a sentence when the configured address is unusable; every call then fails with it).
]]
function DaemonClient.new(opts)
  assert(type(opts) == "table" and opts.http, "DaemonClient.new needs opts.http")
  return setmetatable({
    http = opts.http,
    baseUrl = opts.baseUrl or "http://127.0.0.1:5100",
    token = opts.token,
    urlError = opts.urlError,
  }, DaemonClient)
end

-- Percent-encodes everything but unreserved characters, so model names like "user/model:tag" survive.
function DaemonClient.encode(s)
  return (string.gsub(tostring(s), "[^%w%-%._~]", function(c)
    return string.format("%%%02X", string.byte(c))
  end))
end

function DaemonClient.query(params)
  local keys = {}
  for k, v in pairs(params or {}) do
    if v ~= nil and v ~= false and v ~= "" then keys[#keys + 1] = k end
  end
  if #keys == 0 then return "" end
  table.sort(keys)
  local parts = {}
  for _, k in ipairs(keys) do
    parts[#parts + 1] = DaemonClient.encode(k) .. "=" .. DaemonClient.encode(tostring(params[k]))
  end
  return "?" .. table.concat(parts, "&")
end

function DaemonClient:headers(withBody)
  local headers = { { field = "Accept", value = "application/json" } }
  if withBody then
    -- The daemon refuses (415) any POST or DELETE that is not declared as JSON.
    headers[#headers + 1] = { field = "Content-Type", value = "application/json" }
  end
  if self.token and self.token ~= "" then
    headers[#headers + 1] = { field = "Authorization", value = "Bearer " .. self.token }
  end
  return headers
end

--[[
One request. method: "GET", "POST" or "DELETE"; body: a Lua table (POST/DELETE send {} when nil).
Returns the decoded success answer, or nil and an error.
]]
function DaemonClient:request(method, path, body, timeout)
  if self.urlError then return nil, { message = self.urlError, code = "BAD_URL" } end
  local url = self.baseUrl .. path
  local send
  if method == "GET" then
    timeout = timeout or DaemonClient.READ_TIMEOUT
    send = function() return self.http.get(url, self:headers(false), timeout) end
  else
    timeout = timeout or DaemonClient.WRITE_TIMEOUT
    local text, encodeError = Json.encode(body or {})
    if not text then
      -- A fault in the plug-in (a body JSON cannot hold); the sentence still goes to a dialog.
      return nil, { message = LOC("$$$/Junmai/Error/Encode=Junmai could not put its request to the daemon into JSON (^1). This is a fault in the plug-in.", encodeError), code = "INVALID_REQUEST" }
    end
    -- LrHttp has no delete(); post() takes the method as its fourth argument.
    send = function() return self.http.post(url, text, self:headers(true), method, timeout) end
  end
  local responseBody, info = send()
  if responseBody == nil and DaemonClient.connectionLost(info) then
    -- LrHttp reuses kept-alive connections; one the daemon closed while it was idle loses the
    -- next request before the daemon sees it. The second try goes out on a fresh connection.
    responseBody, info = send()
  end
  if responseBody == nil then
    return nil, DaemonErrors.fromTransport(info, self.baseUrl, timeout)
  end
  local status = DaemonErrors.statusOf(info)
  local decoded = Json.decode(responseBody)
  local err = DaemonErrors.fromAnswer(status, decoded, self.baseUrl)
  if err then return nil, err end
  return decoded
end

function DaemonClient.connectionLost(info)
  local e = type(info) == "table" and info.error or nil
  return type(e) == "table" and e.errorCode == "networkConnectionLost"
end

function DaemonClient:get(path, timeout) return self:request("GET", path, nil, timeout) end
function DaemonClient:post(path, body, timeout) return self:request("POST", path, body, timeout) end
function DaemonClient:delete(path, body, timeout) return self:request("DELETE", path, body, timeout) end

------------------------------------------------------------------------------------------------
-- The API, one method per route.

function DaemonClient:health()
  return self:get("/api/health", DaemonClient.HEALTH_TIMEOUT)
end

function DaemonClient:hardware()
  return self:get("/api/hardware")
end

-- The whole catalog with installed models; "Choose AI Model…" filters it itself (ModelPicker.filterRows).
function DaemonClient:listModels()
  return self:get("/api/model/list")
end

function DaemonClient:currentModel()
  return self:get("/api/model/current")
end

function DaemonClient:statistics(name)
  return self:get("/api/model/statistics" .. DaemonClient.query({ model = name }))
end

function DaemonClient:switchModel(name)
  return self:post("/api/model/switch", { model = name })
end

-- opts: priority ("speed"|"balanced"|"quality", "balanced" by default), capability ("vision" by default).
function DaemonClient:recommend(opts)
  opts = opts or {}
  return self:post("/api/model/recommend", {
    priority = opts.priority or "balanced",
    capability = opts.capability or "vision",
  })
end

function DaemonClient:checkCompatibility(name)
  return self:post("/api/model/check_compatibility", { model = name })
end

function DaemonClient:startDownload(name)
  return self:post("/api/model/download", { model = name })
end

function DaemonClient:downloads()
  return self:get("/api/model/downloads")
end

function DaemonClient:download(id)
  return self:get("/api/model/downloads/" .. DaemonClient.encode(id))
end

function DaemonClient:cancelDownload(id)
  return self:delete("/api/model/downloads/" .. DaemonClient.encode(id), {})
end

function DaemonClient:resumeDownload(id)
  return self:post("/api/model/downloads/" .. DaemonClient.encode(id) .. "/resume", {})
end

--[[
One photo. body: {image_path, photo_id, fields (Json.array of names), options {cache, ...}}.
Answers {model, result {rating, flag, keywords, caption, title}, cache_hit, timings}.
]]
function DaemonClient:evaluate(body)
  return self:post("/api/evaluate", body, DaemonClient.EVALUATE_TIMEOUT)
end

--[[
Comparison runs (README "Which model should I use?"). body: {photos (Json.array of {photo_id,
image_path, rating?, pick?, keywords?}), models?}. Answers 202 {run}; the run is read back with
comparison(id), which also carries the results, summary and sample_note.
]]
function DaemonClient:startComparison(body)
  return self:post("/api/compare", body)
end

function DaemonClient:comparison(id)
  return self:get("/api/compare/" .. DaemonClient.encode(id))
end

function DaemonClient:cancelComparison(id)
  return self:delete("/api/compare/" .. DaemonClient.encode(id), {})
end

function DaemonClient:resumeComparison(id)
  return self:post("/api/compare/" .. DaemonClient.encode(id) .. "/resume", {})
end

-- Fits each model of a completed run to the photographer's stars: {calibrations}.
function DaemonClient:calibrate(id)
  return self:post("/api/compare/" .. DaemonClient.encode(id) .. "/calibrate", {})
end

-- records: a Json.array of {model, photo_id, client_ms, duration_ms, success[, error_code]}.
function DaemonClient:recordUsage(records)
  return self:post("/api/model/usage", records)
end

-- AI runs: what a run wrote, per photo and field, so it can be undone. body: {kind, model, source?}.
function DaemonClient:createRun(body)
  return self:post("/api/runs", body)
end

-- changes: a Json.array of at most 1000 {photo_id, field, before, after, keywords_added?, keywords_created?}.
function DaemonClient:addRunChanges(id, changes)
  return self:post("/api/runs/" .. DaemonClient.encode(id) .. "/changes", { changes = changes })
end

function DaemonClient:listRuns(limit)
  return self:get("/api/runs" .. DaemonClient.query({ limit = limit }))
end

-- Answers {run, changes}.
function DaemonClient:getRun(id)
  return self:get("/api/runs/" .. DaemonClient.encode(id))
end

-- outcomes: a Json.array of {photo_id, field, outcome = "restored"|"left", reason?}.
function DaemonClient:undoRun(id, outcomes)
  return self:post("/api/runs/" .. DaemonClient.encode(id) .. "/undo", { outcomes = outcomes })
end

return DaemonClient
