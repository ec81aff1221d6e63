--[[
LrHttp over luasocket, talking to real servers. It answers as Lightroom does: the body and a
headers table (an array of {field, value} plus `status`), or nil and a table whose `error` has
Lightroom's errorCode names. Every request is recorded in LrHttp._requests for specs to inspect.
]]
local http = require "socket.http"
local ltn12 = require "ltn12"
local url = require "socket.url"

local LrHttp = {}
LrHttp._requests = {}
LrHttp._opened = {}

local function errorCodeFor(message)
  local m = string.lower(tostring(message))
  if string.find(m, "refused", 1, true) then return "cannotConnectToHost" end
  if string.find(m, "timeout", 1, true) or string.find(m, "timed out", 1, true) then return "timedOut" end
  if string.find(m, "not known", 1, true) or string.find(m, "host", 1, true) then return "cannotFindHost" end
  if string.find(m, "closed", 1, true) then return "networkConnectionLost" end
  return "badServerResponse"
end

local function failure(code, message)
  return nil, { error = { errorCode = code, name = tostring(message), nativeCode = -1 } }
end

local function request(method, address, body, headers, timeout)
  -- Lightroom refuses LrHttp outside an async task; so does the shim, to catch it in specs.
  if not require("sdk.LrTasks").canYield() then
    error("LrHttp: can only be called from within an async task", 3)
  end
  local record = { method = method, url = address, body = body, headers = {} }
  LrHttp._requests[#LrHttp._requests + 1] = record

  local parsed = type(address) == "string" and url.parse(address) or nil
  if not parsed or (parsed.scheme ~= "http" and parsed.scheme ~= "https") or not parsed.host or parsed.host == "" then
    return failure("badURL", "bad URL: " .. tostring(address))
  end

  local sent = {}
  for _, h in ipairs(headers or {}) do
    assert(type(h) == "table" and h.field and h.value ~= nil, "LrHttp headers must be {field=..., value=...} tables")
    record.headers[h.field] = tostring(h.value)
    sent[string.lower(h.field)] = tostring(h.value)
  end
  if body then sent["content-length"] = tostring(#body) end

  local chunks = {}
  -- socket.http sets its module-wide TIMEOUT on every socket it opens; requests here run one at
  -- a time, so setting it per request is safe.
  local previousTimeout = http.TIMEOUT
  http.TIMEOUT = timeout or 30
  local ok, code, respHeaders = http.request({
    url = address,
    method = method,
    headers = sent,
    source = body and ltn12.source.string(body) or nil,
    sink = ltn12.sink.table(chunks),
    redirect = false,
  })
  http.TIMEOUT = previousTimeout
  if not ok then
    record.error = code
    return failure(errorCodeFor(code), code)
  end
  local result = { status = code }
  for field, value in pairs(respHeaders or {}) do
    result[#result + 1] = { field = field, value = value }
  end
  record.status = code
  record.response = table.concat(chunks)
  return record.response, result
end

function LrHttp.get(address, headers, timeout)
  return request("GET", address, nil, headers, timeout)
end

function LrHttp.post(address, postBody, headers, method, timeout, totalSize)
  local _ = totalSize
  return request(method or "POST", address, postBody or "", headers, timeout)
end

function LrHttp.openUrlInBrowser(address)
  LrHttp._opened[#LrHttp._opened + 1] = address
end

function LrHttp._reset()
  LrHttp._requests = {}
  LrHttp._opened = {}
end

return LrHttp
