--[[
What the dialogs share: the value chosen in a single-selection simple_list, the item a popup
shows for a value not in its list, and a progress bar
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
The value a popup_menu over `items` should show for `value`: the value itself when an item has
it; else the item nearest to it, for a number (an old preset's 1000 px shows as 1024 px); else
the first item. Lightroom shows a popup whose value is in none of its items as blank.
]]
function DialogParts.nearestItem(items, value)
  local best, bestDistance
  for _, item in ipairs(items) do
    if item.value == value then return value end
    if type(value) == "number" and type(item.value) == "number" then
      local d = math.abs(item.value - value)
      if not bestDistance or d < bestDistance then best, bestDistance = item.value, d end
    end
  end
  if best ~= nil then return best end
  return items[1] and items[1].value
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
