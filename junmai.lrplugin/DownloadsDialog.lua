--[[
"AI Model Downloads…": the daemon's running and recent download jobs, with Cancel, Resume and
Refresh. Opening it also puts a progress bar on every running job not yet watched, so a download
started elsewhere (or before Lightroom restarted) can be followed and cancelled from Lightroom.
]]
local LrBinding = import "LrBinding"
local LrDialogs = import "LrDialogs"
local LrProgressScope = import "LrProgressScope"
local LrTasks = import "LrTasks"
local LrView = import "LrView"

local DaemonClient = require "DaemonClient"
local DaemonErrors = require "DaemonErrors"
local DaemonSession = require "DaemonSession"
local DownloadMonitor = require "DownloadMonitor"
local Downloads = require "Downloads"
local Log = require "Log"

local DownloadsDialog = {}

local function selectedId(value)
  if type(value) == "table" then return value[1] end
  return value
end

local function monitorDeps(client, job)
  return {
    client = client, LrTasks = LrTasks, LrProgressScope = LrProgressScope, LrDialogs = LrDialogs,
    label = job.model, log = Log,
  }
end

-- Watches every active job that has no watcher yet; returns how many were added.
function DownloadsDialog.watchActive(client, jobs)
  local added = 0
  for _, job in ipairs(jobs or {}) do
    if Downloads.isActive(job.status) and not DownloadMonitor.isWatching(job.id) then
      if DownloadMonitor.watch(monitorDeps(client, job), job) then added = added + 1 end
    end
  end
  return added
end

local function updateSelection(props)
  local job = Downloads.findJob(props.jobs, selectedId(props.selection))
  props.canCancel = job ~= nil and Downloads.isActive(job.status)
  props.canResume = Downloads.canResume(job)
end

-- Reloads the list into props; returns true, or false after putting the error in props.status.
function DownloadsDialog.reload(client, props)
  local answer, err = client:downloads()
  if not answer then
    props.status = DaemonErrors.describe(err)
    return false
  end
  local jobs = answer.jobs or {}
  props.jobs = jobs
  props.items = Downloads.items(jobs)
  if #jobs == 0 then
    props.status = LOC "$$$/Junmai/Downloads/None=No downloads yet. Start one from File › Plug-in Extras › Choose AI Model…"
  else
    local active = 0
    for _, job in ipairs(jobs) do
      if Downloads.isActive(job.status) then active = active + 1 end
    end
    props.status = LOC("$$$/Junmai/Downloads/Counts=^1 running, ^2 in all. Closing this window does not stop a download.",
      tostring(active), tostring(#jobs))
  end
  updateSelection(props)
  return true
end

local function inTask(name, fn)
  -- Button actions run outside any task; HTTP needs one.
  LrTasks.startAsyncTask(function()
    local ok, err = LrTasks.pcall(fn)
    if not ok then
      Log:error(name .. ": " .. tostring(err))
      LrDialogs.message(LOC "$$$/Junmai/Error/Unexpected=Something went wrong inside the Junmai plug-in.",
        LOC "$$$/Junmai/Error/UnexpectedInfo=Nothing was changed. The details are in Junmai.log, in Lightroom's log folder.",
        "critical")
    end
  end, name)
end

function DownloadsDialog.cancelSelected(client, props)
  local job = Downloads.findJob(props.jobs, selectedId(props.selection))
  if not job then return end
  local answer, err = client:cancelDownload(job.id)
  if not answer then
    props.status = DaemonErrors.describe(err)
    return
  end
  DownloadsDialog.reload(client, props)
end

function DownloadsDialog.resumeSelected(client, props)
  local job = Downloads.findJob(props.jobs, selectedId(props.selection))
  if not job then return end
  local answer, err = client:resumeDownload(job.id)
  if not answer then
    props.status = DaemonErrors.describe(err)
    return
  end
  DownloadMonitor.watch(monitorDeps(client, answer.job), answer.job)
  DownloadsDialog.reload(client, props)
end

function DownloadsDialog.contents(f, props, client)
  local bind = LrView.bind
  return f:column {
    bind_to_object = props,
    spacing = f:control_spacing(),
    f:static_text { title = bind "status", width_in_chars = 80, height_in_lines = 2, fill_horizontal = 1 },
    f:simple_list {
      items = bind "items",
      value = bind "selection",
      allows_multiple_selection = false,
      width_in_chars = 80,
      height_in_lines = 10,
      fill_horizontal = 1,
    },
    f:row {
      spacing = f:control_spacing(),
      f:push_button {
        title = LOC "$$$/Junmai/Downloads/Cancel=Cancel Download",
        enabled = bind "canCancel",
        action = function() inTask("Junmai cancel download", function() DownloadsDialog.cancelSelected(client, props) end) end,
      },
      f:push_button {
        title = LOC "$$$/Junmai/Downloads/Resume=Resume",
        enabled = bind "canResume",
        action = function() inTask("Junmai resume download", function() DownloadsDialog.resumeSelected(client, props) end) end,
      },
      f:push_button {
        title = LOC "$$$/Junmai/Downloads/Refresh=Refresh",
        action = function() inTask("Junmai refresh downloads", function() DownloadsDialog.reload(client, props) end) end,
      },
    },
  }
end

function DownloadsDialog.run(context, client)
  client = client or DaemonClient.fromPrefs()
  -- Starts the daemon when it is not running (and warns once about an API mismatch).
  local _, connectErr = DaemonSession.connect(client)
  if connectErr then
    LrDialogs.message(LOC "$$$/Junmai/Downloads/LoadFailed=Junmai cannot show the downloads.", DaemonErrors.describe(connectErr), "critical")
    return "error"
  end
  local props = LrBinding.makePropertyTable(context)
  props.canCancel = false
  props.canResume = false
  if not DownloadsDialog.reload(client, props) then
    LrDialogs.message(LOC "$$$/Junmai/Downloads/LoadFailed=Junmai cannot show the downloads.", props.status, "critical")
    return "error"
  end
  props:addObserver("selection", function() updateSelection(props) end)
  DownloadsDialog.watchActive(client, props.jobs)
  LrDialogs.presentModalDialog({
    title = LOC "$$$/Junmai/Downloads/Title=AI Model Downloads",
    contents = DownloadsDialog.contents(LrView.osFactory(), props, client),
    actionVerb = LOC "$$$/Junmai/Downloads/Close=Close",
    cancelVerb = "< exclude >",
  })
  return "closed"
end

return DownloadsDialog
