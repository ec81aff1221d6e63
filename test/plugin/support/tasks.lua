-- Running spec code where Lightroom requires a task (catalog writes, keyword reads, HTTP).
local sdk = require "sdk"
-- A module's globals are not the spec's: busted's assert is luassert.
local assert = require "luassert"

local Tasks = {}

local LrTasks = sdk.import "LrTasks"

-- Runs fn in a new task, drives every task until all are done, fails the spec if they do not
-- finish or any task raised, and returns what fn returned.
function Tasks.run(fn)
  local results
  LrTasks.startAsyncTask(function() results = { fn() } end, "spec")
  assert.is_true(sdk.runTasks({ timeout = 5 }))
  assert.are.same({}, LrTasks._errors)
  return unpack(results)
end

return Tasks
