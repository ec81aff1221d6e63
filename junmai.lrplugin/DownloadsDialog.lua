--[[
"AI Model Downloads…": the daemon's running and recent download jobs, with Cancel, Resume and
Refresh. Opening it also puts a progress bar on every running job not yet watched, so a download
started elsewhere (or before Lightroom restarted) can be followed and cancelled from Lightroom.
]]
local LrBinding = import "LrBinding"
local LrDialogs = import "LrDialogs"
local LrView = import "LrView"

local DaemonErrors = require "DaemonErrors"
local DaemonSession = require "DaemonSession"
local DialogParts = require "DialogParts"
local DownloadMonitor = require "DownloadMonitor"
local Downloads = require "Downloads"
local SafeRun = require "SafeRun"

local DownloadsDialog = {}

-- Watches every active job that has no watcher yet; returns how many were added.
function DownloadsDialog.watchActive(client, jobs)
  local added = 0
  for _, job in ipairs(jobs or {}) do
    if Downloads.isActive(job.status) and not DownloadMonitor.isWatching(job.id) then
      if DialogParts.watchDownload(client, job) then added = added + 1 end
    end
  end
  return added
end

local function selectedJob(props)
  return Downloads.findJob(props.jobs, DialogParts.selected(props.selection))
end

local function updateSelection(props)
  local job = selectedJob(props)
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
    props.status = LOC "$$$/Junmai/Downloads/None=No downloads yet. Start one from File ^U+203A Plug-in Extras ^U+203A Choose AI Model^U+2026"
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

-- Calls client:<method>(id) for the selected job. Returns the answer, or nil (nothing selected,
-- or the error put in props.status).
local function actOnSelected(client, props, method)
  local job = selectedJob(props)
  if not job then return nil end
  local answer, err = client[method](client, job.id)
  if not answer then props.status = DaemonErrors.describe(err) end
  return answer
end

function DownloadsDialog.cancelSelected(client, props)
  if actOnSelected(client, props, "cancelDownload") then DownloadsDialog.reload(client, props) end
end

function DownloadsDialog.resumeSelected(client, props)
  local answer = actOnSelected(client, props, "resumeDownload")
  if not answer then return end
  -- Resuming makes a new job: it gets a progress bar of its own.
  DialogParts.watchDownload(client, answer.job)
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
    -- Button actions run outside any task, and HTTP needs one: SafeRun.task gives it.
    f:row {
      spacing = f:control_spacing(),
      f:push_button {
        title = LOC "$$$/Junmai/Downloads/Cancel=Cancel Download",
        enabled = bind "canCancel",
        action = function() SafeRun.task("Junmai cancel download", function() DownloadsDialog.cancelSelected(client, props) end) end,
      },
      f:push_button {
        title = LOC "$$$/Junmai/Downloads/Resume=Resume",
        enabled = bind "canResume",
        action = function() SafeRun.task("Junmai resume download", function() DownloadsDialog.resumeSelected(client, props) end) end,
      },
      f:push_button {
        title = LOC "$$$/Junmai/Downloads/Refresh=Refresh",
        action = function() SafeRun.task("Junmai refresh downloads", function() DownloadsDialog.reload(client, props) end) end,
      },
    },
  }
end

function DownloadsDialog.run(context)
  local client = DaemonSession.client()
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
