--[[
What the dialogs share: the value chosen in a single-selection simple_list, and a progress bar
on a download job (DownloadMonitor with Lightroom's tasks, progress scopes and dialogs).
]]
local LrDialogs = import "LrDialogs"
local LrProgressScope = import "LrProgressScope"
local LrTasks = import "LrTasks"

local DownloadMonitor = require "DownloadMonitor"
local Log = require "Log"

local DialogParts = {}

-- The value chosen in a simple_list, which reports its selection as an array of values; or nil.
function DialogParts.selected(value)
  if type(value) == "table" then return value[1] end
  return value
end

--[[
Watches `job` in a task of its own (DownloadMonitor.watch). fields (optional): label (the name in
titles and messages; the job's model by default), sizeBytes, offerSwitch.
Returns true when a new watcher started.
]]
function DialogParts.watchDownload(client, job, fields)
  fields = fields or {}
  return DownloadMonitor.watch({
    client = client, LrTasks = LrTasks, LrProgressScope = LrProgressScope, LrDialogs = LrDialogs, log = Log,
    label = fields.label, sizeBytes = fields.sizeBytes, offerSwitch = fields.offerSwitch,
  }, job)
end

return DialogParts
