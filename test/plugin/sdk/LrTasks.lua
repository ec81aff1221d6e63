--[[
LrTasks on coroutines. startAsyncTask runs the function at once in a coroutine until it first
sleeps or yields; sdk.runTasks() then resumes sleepers when their time comes (really waiting,
since the daemon's downloads move in real time). pcall is coroutine-safe like Lightroom's, so
a task may sleep inside it. Errors that escape a task are recorded, as Lightroom would show them.
]]
local socket = require "socket"

local LrTasks = {}

local tasks = {}
local current = nil
LrTasks._errors = {}
LrTasks._started = {}
-- The tasks themselves, in the order they started: a spec drives the one it started by its place
-- here, as a task may start others before it first yields.
LrTasks._startedTasks = {}

local function pack(...)
  return { n = select("#", ...), ... }
end

local function step(task, ...)
  local previous = current
  current = task
  local res = pack(coroutine.resume(task.co, ...))
  current = previous
  if not res[1] then
    task.dead = true
    local err = res[2]
    LrTasks._errors[#LrTasks._errors + 1] = { name = task.name, error = err,
      traceback = debug.traceback(task.co, tostring(err)) }
    io.stderr:write("[LrTasks shim] task " .. tostring(task.name) .. " failed: " .. tostring(err) .. "\n")
  elseif coroutine.status(task.co) == "dead" then
    task.dead = true
  else
    local request = res[2]
    local seconds = type(request) == "table" and request.sleep or 0
    task.wake = socket.gettime() + seconds
  end
end

function LrTasks.startAsyncTask(fn, name)
  local task = { co = coroutine.create(fn), name = name or "task", wake = 0 }
  tasks[#tasks + 1] = task
  LrTasks._started[#LrTasks._started + 1] = task.name
  LrTasks._startedTasks[#LrTasks._startedTasks + 1] = task
  step(task)
end

LrTasks.startAsyncTaskWithoutErrorHandler = LrTasks.startAsyncTask

function LrTasks.canYield()
  return current ~= nil
end

function LrTasks.sleep(seconds)
  if current == nil then
    socket.sleep(seconds)
    return
  end
  coroutine.yield({ sleep = seconds })
end

function LrTasks.yield()
  if current ~= nil then coroutine.yield({ sleep = 0 }) end
end

-- Runs f in its own coroutine and passes its yields (sleeps) out to the enclosing task.
function LrTasks.pcall(f, ...)
  local args = pack(...)
  local co = coroutine.create(function() return f(unpack(args, 1, args.n)) end)
  local res = pack(coroutine.resume(co))
  while true do
    if not res[1] then return false, res[2] end
    if coroutine.status(co) == "dead" then return true, unpack(res, 2, res.n) end
    local back = pack(coroutine.yield(unpack(res, 2, res.n)))
    res = pack(coroutine.resume(co, unpack(back, 1, back.n)))
  end
end

--[[
Runs a shell command as Lightroom does: from a task only, and the calling task is blocked until
the command exits (other tasks go on). A command that does not detach (a server started in the
foreground) therefore holds its task for as long as it runs. Returns system()'s wait status.
Specs may set LrTasks._executeHook to answer instead of running it: it returns a status, or a
function that is asked until it returns one (a command still running). Every command is kept in
LrTasks._executed.
]]
LrTasks._executed = {}
LrTasks._executeHook = nil

local function shellQuote(s)
  return "'" .. string.gsub(s, "'", "'\\''") .. "'"
end

local function runInBackground(command)
  local statusFile = os.tmpname()
  os.remove(statusFile)
  os.execute("(sh -c " .. shellQuote(command) .. " </dev/null; echo $? > " .. shellQuote(statusFile .. ".part") ..
    " && mv " .. shellQuote(statusFile .. ".part") .. " " .. shellQuote(statusFile) .. ") &")
  return function()
    local f = io.open(statusFile, "r")
    if not f then return nil end
    local code = tonumber(f:read("*l"))
    f:close()
    os.remove(statusFile)
    return (code or 255) * 256
  end
end

function LrTasks.execute(command)
  if current == nil then error("LrTasks.execute: can only be called from within an async task", 2) end
  LrTasks._executed[#LrTasks._executed + 1] = command
  local answer
  if LrTasks._executeHook then answer = LrTasks._executeHook(command) else answer = runInBackground(command) end
  if type(answer) ~= "function" then return answer end
  while true do
    local status = answer()
    if status ~= nil then return status end
    coroutine.yield({ sleep = 0.02 })
  end
end

function LrTasks._pending()
  local n = 0
  for _, t in ipairs(tasks) do
    if not t.dead then n = n + 1 end
  end
  return n
end

function LrTasks._run(opts)
  local deadline = socket.gettime() + (opts.timeout or 30)
  while true do
    if opts.untilFn and opts.untilFn() then return true end
    local nextWake
    for _, t in ipairs(tasks) do
      if not t.dead and (opts.only == nil or t == opts.only) and (nextWake == nil or t.wake < nextWake) then nextWake = t.wake end
    end
    if nextWake == nil then return opts.untilFn == nil or opts.untilFn() == true end
    local now = socket.gettime()
    if now >= deadline then return false end
    if nextWake > now then socket.sleep(math.min(nextWake - now, deadline - now, 0.05)) end
    now = socket.gettime()
    for _, t in ipairs(tasks) do
      if not t.dead and (opts.only == nil or t == opts.only) and t.wake <= now then step(t) end
    end
  end
end

function LrTasks._reset()
  tasks = {}
  current = nil
  LrTasks._errors = {}
  LrTasks._started = {}
  LrTasks._startedTasks = {}
  LrTasks._executed = {}
  LrTasks._executeHook = nil
end

return LrTasks
