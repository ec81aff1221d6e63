--[[
LrHttp over luasocket, talking to real servers, as Lightroom does:
  * A call yields its task while it waits for the network, so several tasks' requests are really
    in flight at once (and a slow answer holds only its own task).
  * Connections are kept alive and reused, per host and port. A connection the server has since
    closed is reused all the same; the request on it then fails with networkConnectionLost, as
    it does in Lightroom. The shim never retries by itself.
It answers as Lightroom does: the body and a headers table (an array of {field, value}, fields in
lower case, plus `status`), or nil and a table whose `error` has Lightroom's errorCode names.
Every request is recorded in LrHttp._requests for specs to inspect; LrHttp._connections counts
the connections opened.
]]
local socket = require "socket"
local url = require "socket.url"

local LrHttp = {}
LrHttp._requests = {}
LrHttp._opened = {}
LrHttp._connections = 0

-- Idle connections by "host:port", most recent last.
local idle = {}

local POLL = 0.005

local function pause()
  coroutine.yield({ sleep = POLL })
end

local function failure(code, message)
  return nil, { error = { errorCode = code, name = tostring(message), nativeCode = -1 } }
end

local function errorCodeFor(message)
  local m = string.lower(tostring(message))
  if string.find(m, "refused", 1, true) then return "cannotConnectToHost" end
  if string.find(m, "timeout", 1, true) or string.find(m, "timed out", 1, true) then return "timedOut" end
  if string.find(m, "closed", 1, true) or string.find(m, "reset", 1, true) or string.find(m, "broken pipe", 1, true) then
    return "networkConnectionLost"
  end
  if string.find(m, "not known", 1, true) or string.find(m, "host", 1, true) then return "cannotFindHost" end
  return "badServerResponse"
end

local function connect(host, port, timeout)
  local sock = socket.tcp()
  sock:settimeout(timeout)
  local ok, err = sock:connect(host, port)
  if not ok then
    sock:close()
    return nil, err
  end
  sock:settimeout(0)
  LrHttp._connections = LrHttp._connections + 1
  return { sock = sock, buf = "" }
end

local function send(conn, data, deadline)
  local from = 1
  while from <= #data do
    local last, err, partial = conn.sock:send(data, from)
    if last then
      from = last + 1
    elseif err == "timeout" then
      from = (partial or from - 1) + 1
      if socket.gettime() >= deadline then return nil, "timeout" end
      pause()
    else
      return nil, err
    end
  end
  return true
end

-- Reads more bytes into conn.buf; nil and "closed" or "timeout" when none come.
local function fill(conn, deadline)
  while true do
    local data, err, partial = conn.sock:receive(8192)
    local got = data or partial
    if got and #got > 0 then
      conn.buf = conn.buf .. got
      if err == "closed" then conn.eof = true end
      return true
    end
    if conn.eof or (err and err ~= "timeout") then return nil, err or "closed" end
    if socket.gettime() >= deadline then return nil, "timeout" end
    pause()
  end
end

local function readUntil(conn, marker, deadline)
  while true do
    local at = string.find(conn.buf, marker, 1, true)
    if at then
      local head = string.sub(conn.buf, 1, at - 1)
      conn.buf = string.sub(conn.buf, at + #marker)
      return head
    end
    local ok, err = fill(conn, deadline)
    if not ok then return nil, err end
  end
end

local function readBytes(conn, n, deadline)
  while #conn.buf < n do
    local ok, err = fill(conn, deadline)
    if not ok then return nil, err end
  end
  local out = string.sub(conn.buf, 1, n)
  conn.buf = string.sub(conn.buf, n + 1)
  return out
end

local function readBody(conn, headers, status, method, deadline)
  if method == "HEAD" or status == 204 or status == 304 then return "" end
  local length = tonumber(headers["content-length"])
  if length then return readBytes(conn, length, deadline) end
  if string.lower(headers["transfer-encoding"] or "") == "chunked" then
    local parts = {}
    while true do
      local line, err = readUntil(conn, "\r\n", deadline)
      if not line then return nil, err end
      local size = tonumber(string.match(line, "^%s*(%x+)"), 16)
      if not size then return nil, "bad chunk" end
      if size == 0 then
        local ok, trailerErr = readUntil(conn, "\r\n", deadline)
        if not ok then return nil, trailerErr end
        return table.concat(parts)
      end
      local chunk, chunkErr = readBytes(conn, size + 2, deadline)
      if not chunk then return nil, chunkErr end
      parts[#parts + 1] = string.sub(chunk, 1, size)
    end
  end
  conn.keep = false
  while not conn.eof do
    local ok = fill(conn, deadline)
    if not ok then break end
  end
  local body = conn.buf
  conn.buf = ""
  return body
end

-- One exchange on one connection: the status, headers and body, or nil and an error text.
local function exchange(conn, text, method, deadline)
  local ok, err = send(conn, text, deadline)
  if not ok then return nil, err end
  local head, headErr = readUntil(conn, "\r\n\r\n", deadline)
  if not head then return nil, headErr end
  local statusLine, rest = string.match(head, "^([^\r\n]*)\r?\n?(.*)$")
  local status = tonumber(string.match(statusLine or "", "^HTTP/%d%.%d (%d%d%d)"))
  if not status then return nil, "bad status line" end
  local headers = {}
  for line in string.gmatch(rest .. "\r\n", "([^\r\n]*)\r\n") do
    local field, value = string.match(line, "^([^:]+):%s*(.-)%s*$")
    if field then headers[string.lower(field)] = value end
  end
  conn.keep = string.lower(headers["connection"] or "") ~= "close"
  local body, bodyErr = readBody(conn, headers, status, method, deadline)
  if not body then return nil, bodyErr end
  return status, headers, body
end

local function request(method, address, body, headers, timeout)
  -- Lightroom refuses LrHttp outside an async task; so does the shim, to catch it in specs.
  if not require("sdk.LrTasks").canYield() then
    error("LrHttp: can only be called from within an async task", 3)
  end
  local record = { method = method, url = address, body = body, headers = {} }
  LrHttp._requests[#LrHttp._requests + 1] = record

  local parsed = type(address) == "string" and url.parse(address) or nil
  if not parsed or parsed.scheme ~= "http" or not parsed.host or parsed.host == "" then
    return failure("badURL", "bad URL: " .. tostring(address))
  end
  local host = string.gsub(parsed.host, "^%[(.*)%]$", "%1")
  local port = tonumber(parsed.port) or 80
  local key = host .. ":" .. port
  local target = (parsed.path and parsed.path ~= "" and parsed.path or "/") .. (parsed.query and ("?" .. parsed.query) or "")

  local lines = { method .. " " .. target .. " HTTP/1.1", "Host: " .. host .. ":" .. port }
  for _, h in ipairs(headers or {}) do
    assert(type(h) == "table" and h.field and h.value ~= nil, "LrHttp headers must be {field=..., value=...} tables")
    record.headers[h.field] = tostring(h.value)
    lines[#lines + 1] = h.field .. ": " .. tostring(h.value)
  end
  if body then lines[#lines + 1] = "Content-Length: " .. #body end
  local text = table.concat(lines, "\r\n") .. "\r\n\r\n" .. (body or "")

  local deadline = socket.gettime() + (timeout or 30)
  local pool = idle[key] or {}
  idle[key] = pool
  local conn = table.remove(pool)
  if conn then
    record.reused = true
  else
    local err
    conn, err = connect(host, port, timeout or 30)
    if not conn then
      record.error = err
      return failure(errorCodeFor(err), err)
    end
  end

  local status, respHeaders, respBody = exchange(conn, text, method, deadline)
  if not status then
    conn.sock:close()
    record.error = respHeaders
    return failure(errorCodeFor(respHeaders), respHeaders)
  end
  if conn.keep and not conn.eof then pool[#pool + 1] = conn else conn.sock:close() end

  local result = { status = status }
  for field, value in pairs(respHeaders) do result[#result + 1] = { field = field, value = value } end
  record.status = status
  record.response = respBody
  return respBody, result
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
  for _, pool in pairs(idle) do
    for _, conn in ipairs(pool) do conn.sock:close() end
  end
  idle = {}
  LrHttp._requests = {}
  LrHttp._opened = {}
  LrHttp._connections = 0
end

return LrHttp
