--[[
Runs UI work in an async task (LrHttp needs one) with a function context, and makes sure a
programming error reaches the log, never a dialog as raw Lua text.
]]
local LrTasks = import "LrTasks"
local LrDialogs = import "LrDialogs"
local LrFunctionContext = import "LrFunctionContext"
local Log = require "Log"

local SafeRun = {}

function SafeRun.report(err)
  Log:error(tostring(err))
  LrDialogs.message(LOC "$$$/Junmai/Error/Unexpected=Something went wrong inside the Junmai plug-in.",
    LOC "$$$/Junmai/Error/UnexpectedInfo=Nothing was changed. The details are in Junmai.log, in Lightroom's log folder.",
    "critical")
end

-- Calls fn(context) now, inside the current task; errors are logged and reported.
function SafeRun.call(name, fn)
  return LrFunctionContext.callWithContext(name, function(context)
    local ok, err = LrTasks.pcall(fn, context)
    if not ok then SafeRun.report(err) end
    return ok
  end)
end

-- The same in a new async task, for menu items and button actions.
function SafeRun.task(name, fn)
  LrTasks.startAsyncTask(function()
    SafeRun.call(name, fn)
  end, name)
end

return SafeRun
