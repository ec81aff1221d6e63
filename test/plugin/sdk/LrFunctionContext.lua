-- Function contexts with cleanup and failure handlers, run through the coroutine-safe pcall.
local LrTasks = require "sdk.LrTasks"

local LrFunctionContext = {}

local Context = {}
Context.__index = Context

function Context:addCleanupHandler(fn) table.insert(self.cleanup, 1, fn) end
function Context:addFailureHandler(fn) table.insert(self.failure, 1, fn) end
function Context:addOperationTitleForError(title) self.operationTitle = title end

function LrFunctionContext.callWithContext(name, fn, ...)
  local context = setmetatable({ name = name, cleanup = {}, failure = {} }, Context)
  local res = { n = 0 }
  local function collect(ok, ...)
    res = { n = select("#", ...), ok = ok, ... }
  end
  collect(LrTasks.pcall(fn, context, ...))
  if not res.ok then
    for _, h in ipairs(context.failure) do h(false, res[1]) end
  end
  for _, h in ipairs(context.cleanup) do h(res.ok, res[1]) end
  if not res.ok then error(res[1], 0) end
  return unpack(res, 1, res.n)
end

function LrFunctionContext.postAsyncTaskWithContext(name, fn)
  LrTasks.startAsyncTask(function()
    LrFunctionContext.callWithContext(name, fn)
  end, name)
end

function LrFunctionContext.callWithEmptyEnvironment(fn, ...)
  return fn(...)
end

return LrFunctionContext
