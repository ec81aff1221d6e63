--[[
A one-connection-at-a-time HTTP server in a child process that answers every request with a
fixed status and body: for answers the real daemon would not give (not JSON, a proxy's page,
a daemon error we cannot provoke on demand). Returns {url, stop()}.
]]
local shellQuote = require("support.shell").quote

local FakeServer = {}

-- The child: accepts connections, reads the request head and body, answers, closes.
local CHILD = [==[
local socket = require "socket"
local status, contentType, bodyFile, delay = arg[1], arg[2], arg[3], tonumber(arg[4]) or 0
local f = assert(io.open(bodyFile, "rb")); local body = f:read("*a"); f:close()
local server = assert(socket.bind("127.0.0.1", 0))
local _, port = server:getsockname()
io.stdout:write(port, "\n"); io.stdout:flush()
while true do
  local c = server:accept()
  if c then
    c:settimeout(5)
    local length = 0
    while true do
      local line = c:receive("*l")
      if not line or line == "" then break end
      local n = line:lower():match("^content%-length:%s*(%d+)")
      if n then length = tonumber(n) end
    end
    if length > 0 then c:receive(length) end
    if delay > 0 then socket.sleep(delay) end
    c:send("HTTP/1.1 " .. status .. "\r\nContent-Type: " .. contentType .. "\r\nContent-Length: " .. #body ..
      "\r\nConnection: close\r\n\r\n" .. body)
    c:close()
  end
end
]==]

function FakeServer.start(status, body, opts)
  opts = opts or {}
  local script = os.tmpname()
  local bodyFile = os.tmpname()
  local f = assert(io.open(script, "w")); f:write(CHILD); f:close()
  f = assert(io.open(bodyFile, "wb")); f:write(body); f:close()
  -- exec: the pid echoed is the server's own, and no shell is left to report its end.
  local command = "echo $$; exec lua5.1 " .. shellQuote(script) .. " " ..
    shellQuote(status) .. " " .. shellQuote(opts.contentType or "text/html") .. " " .. shellQuote(bodyFile) ..
    " " .. tostring(opts.delay or 0) .. " </dev/null"
  local pipe = assert(io.popen(command, "r"))
  local pid = tonumber(pipe:read("*l"))
  local port = tonumber(pipe:read("*l"))
  assert(pid and port, "the fake server did not start")
  local s = { url = "http://127.0.0.1:" .. port, pid = pid }
  function s.stop()
    if s.stopped then return end
    s.stopped = true
    os.execute("kill " .. pid .. " 2>/dev/null")
    pipe:close()
    os.remove(script)
    os.remove(bodyFile)
  end
  return s
end

return FakeServer
