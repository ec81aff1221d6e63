--[[
Starts real daemons for the end-to-end specs, from the repository root.

Daemon.startWithEmulator(opts) runs test/support/serve-with-emulator.ts (a daemon plus the Ollama
emulator). Its stdin is a FIFO this process holds open: if busted dies, the FIFO closes and the
daemon stops by itself, so no run leaves one behind. The same stdin takes commands: d.control{...}
sends one (an emulator fault, a marker for malformed model output, a latency, Ollama stopped or
started again) and waits for its answer.

Daemon.startAlone(opts) runs daemon/main.ts itself, against an Ollama address of our choosing
(a closed port, for "Ollama is down"), optionally with JUNMAI_TOKEN.

Each returns {url, pid, stop()}; startWithEmulator adds ollamaUrl and control().

Daemon.dropIdleProxy(url) puts test/plugin/support/drop-idle-proxy.mjs in front of a daemon: a
daemon that closes every kept-alive connection once it has answered on it. Returns {url,
dropped() (connections it closed so far), stop()}.
]]
local socket = require "socket"
local sdk = require "sdk"
local shellQuote = require("support.shell").quote

local Daemon = {}

local function tempPath(suffix)
  local path = os.tmpname()
  os.remove(path)
  return path .. suffix
end

-- A port nothing listens on: bind to 0, note the port, close.
function Daemon.freePort()
  local server = assert(socket.bind("127.0.0.1", 0))
  local _, port = server:getsockname()
  server:close()
  return tonumber(port)
end

local function readLog(path)
  local f = io.open(path, "r")
  if not f then return "" end
  local text = f:read("*a")
  f:close()
  return text
end

function Daemon.startWithEmulator(opts)
  opts = opts or {}
  local fifo = tempPath(".fifo")
  local log = tempPath(".log")
  assert(os.execute("mkfifo " .. shellQuote(fifo)) == 0, "mkfifo failed")
  local args = ""
  if opts.installed then args = args .. " --installed " .. shellQuote(opts.installed) end
  if opts.bytesPerSecond then args = args .. " --bytes-per-second " .. tostring(opts.bytesPerSecond) end
  local script = "test/support/serve-with-emulator.ts"
  local command = "cd " .. shellQuote(sdk.root) .. " && echo $$ && exec node --import tsx " .. script ..
    args .. " <" .. shellQuote(fifo) .. " 2>" .. shellQuote(log)
  local pipe = assert(io.popen(command, "r"))
  local pid = tonumber(pipe:read("*l"))
  assert(pid, "the daemon's shell did not start")
  -- Blocks until the daemon's shell opens the FIFO for reading, which it does right away.
  local keepAlive = assert(io.open(fifo, "w"))
  local ready = pipe:read("*l")
  if not ready then
    keepAlive:close()
    pipe:close()
    os.remove(fifo)
    error("the daemon with the Ollama emulator did not start:\n" .. readLog(log))
  end
  local url = string.match(ready, '"url":"([^"]+)"')
  local ollamaUrl = string.match(ready, '"ollama_url":"([^"]+)"')
  assert(url, "unexpected first line from serve-with-emulator: " .. ready)
  local d = { url = url, ollamaUrl = ollamaUrl, pid = pid }
  -- Sends one command (a Lua table, as JSON) to serve-with-emulator.ts and waits for its answer.
  function d.control(order)
    local Json = require "Json"
    keepAlive:write(assert(Json.encode(order)), "\n")
    keepAlive:flush()
    local answer = pipe:read("*l")
    assert(answer == '{"ok":true}', "the daemon refused the command: " .. tostring(answer))
  end
  function d.stop()
    if d.stopped then return end
    d.stopped = true
    keepAlive:close()
    os.execute("kill " .. pid .. " 2>/dev/null")
    pipe:close()
    os.remove(fifo)
    os.remove(log)
  end
  return d
end

function Daemon.dropIdleProxy(target)
  local fifo = tempPath(".fifo")
  assert(os.execute("mkfifo " .. shellQuote(fifo)) == 0, "mkfifo failed")
  local command = "cd " .. shellQuote(sdk.root) .. " && echo $$ && exec node test/plugin/support/drop-idle-proxy.mjs " ..
    shellQuote(target) .. " <" .. shellQuote(fifo)
  local pipe = assert(io.popen(command, "r"))
  local pid = tonumber(pipe:read("*l"))
  local keepAlive = assert(io.open(fifo, "w"))
  local ready = pipe:read("*l")
  local url = ready and string.match(ready, '"url":"([^"]+)"')
  assert(url, "the proxy did not start: " .. tostring(ready))
  local p = { url = url, pid = pid }
  function p.dropped()
    keepAlive:write("?\n")
    keepAlive:flush()
    return tonumber(string.match(pipe:read("*l") or "", '"dropped":(%d+)'))
  end
  function p.stop()
    if p.stopped then return end
    p.stopped = true
    keepAlive:close()
    os.execute("kill " .. pid .. " 2>/dev/null")
    pipe:close()
    os.remove(fifo)
  end
  return p
end

local function answers(url)
  local http = require "socket.http"
  http.TIMEOUT = 1
  local body = http.request(url .. "/api/health")
  return body ~= nil
end

function Daemon.startAlone(opts)
  opts = opts or {}
  local port = Daemon.freePort()
  local dataDir = tempPath(".data")
  local log = tempPath(".log")
  local env = {
    "JUNMAI_PORT=" .. port,
    "JUNMAI_HOST=127.0.0.1",
    "JUNMAI_DATA_DIR=" .. shellQuote(dataDir),
    "OLLAMA_HOST=" .. shellQuote(opts.ollamaUrl or ("http://127.0.0.1:" .. Daemon.freePort())),
    "JUNMAI_OLLAMA_TIMEOUT_MS=1000",
    "JUNMAI_LOG_LEVEL=warn",
  }
  if opts.token then env[#env + 1] = "JUNMAI_TOKEN=" .. shellQuote(opts.token) end
  -- exec makes the background job's pid the daemon's own, so kill reaches it.
  local command = "sh -c " .. shellQuote("cd " .. shellQuote(sdk.root) .. " && exec env " .. table.concat(env, " ") ..
    " node --import tsx daemon/main.ts </dev/null >" .. shellQuote(log) .. " 2>&1") .. " & echo $!"
  local pipe = assert(io.popen(command, "r"))
  local pid = tonumber(pipe:read("*l"))
  pipe:close()
  assert(pid, "the daemon did not start")
  local url = "http://127.0.0.1:" .. port
  local deadline = socket.gettime() + 60
  while not answers(url) do
    if socket.gettime() > deadline or os.execute("kill -0 " .. pid .. " 2>/dev/null") ~= 0 then
      os.execute("kill " .. pid .. " 2>/dev/null")
      error("the daemon did not start:\n" .. readLog(log))
    end
    socket.sleep(0.2)
  end
  local d = { url = url, pid = pid }
  function d.stop()
    if d.stopped then return end
    d.stopped = true
    os.execute("kill " .. pid .. " 2>/dev/null")
    local waitUntil = socket.gettime() + 10
    while os.execute("kill -0 " .. pid .. " 2>/dev/null") == 0 and socket.gettime() < waitUntil do
      socket.sleep(0.1)
    end
    os.execute("rm -rf " .. shellQuote(dataDir))
    os.remove(log)
  end
  return d
end

return Daemon
