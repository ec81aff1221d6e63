-- Helpers for specs that drive the plug-in's dialogs through the SDK shim.
local sdk = require "sdk"

local Ui = {}

local LrView = sdk.import "LrView"
local LrDialogs = sdk.import "LrDialogs"
local LrTasks = sdk.import "LrTasks"

-- Runs fn as Lightroom runs a menu item: in a task, errors reported, then drives tasks until idle
-- (or until `untilFn`). Fails the spec if any task raised.
function Ui.run(fn, opts)
  opts = opts or {}
  local SafeRun = require "SafeRun"
  local result
  SafeRun.task("spec", function(context) result = fn(context) end)
  local finished = sdk.runTasks({ timeout = opts.timeout or 30, untilFn = opts.untilFn })
  assert(#LrTasks._errors == 0, "a task raised: " .. tostring(LrTasks._errors[1] and LrTasks._errors[1].traceback))
  if not opts.allowPending then assert(finished, "tasks did not finish in time") end
  for _, shown in ipairs(LrDialogs._all("message")) do
    assert(shown.message ~= "Something went wrong inside the Junmai plug-in.", "a programming error reached a dialog")
  end
  return result
end

-- Calls fn inside a new task and returns its results, driving only that task (its HTTP calls
-- yield, as in Lightroom); other tasks are left alone.
function Ui.call(fn, timeout)
  local results
  local function pack(...) return { n = select("#", ...), ... } end
  local started = #LrTasks._startedTasks
  LrTasks.startAsyncTask(function() results = pack(fn()) end, "spec call")
  LrTasks._run({ only = LrTasks._startedTasks[started + 1], timeout = timeout or 30 })
  local lastError = LrTasks._errors[#LrTasks._errors]
  assert(results, "the call did not finish: " .. tostring(lastError and lastError.error))
  return unpack(results, 1, results.n)
end

function Ui.find(root, query)
  local node = LrView._find(root, query)
  assert(node, "no view matches the query")
  return node
end

function Ui.button(root, title)
  return Ui.find(root, function(n) return n._type == "push_button" and LrView._get(n, "title") == title end)
end

function Ui.list(root)
  return Ui.find(root, { _type = "simple_list" })
end

function Ui.items(root)
  return LrView._get(Ui.list(root), "items") or {}
end

function Ui.titles(root)
  local out = {}
  for _, item in ipairs(Ui.items(root)) do out[#out + 1] = item.title end
  return out
end

function Ui.select(root, value)
  LrView._set(Ui.list(root), { value })
end

function Ui.text(root)
  return LrView._text(root)
end

-- Presses a button; the task its action starts (HTTP needs one) is driven until it is done, as a
-- photographer would wait to see its effect. That is the first task started by the press, not the
-- last: an action whose HTTP answer is already there when first read runs on at once, and may start
-- other tasks (a download's progress watcher) before it first yields.
function Ui.press(root, title)
  local started = #LrTasks._startedTasks
  LrView._press(Ui.button(root, title))
  local own = LrTasks._startedTasks[started + 1]
  if own then LrTasks._run({ only = own, timeout = 30 }) end
end

return Ui
