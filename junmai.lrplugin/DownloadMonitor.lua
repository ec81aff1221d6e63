--[[
Watches one download job from Lightroom: a progress scope at the top left, updated every poll,
whose cancel button cancels the job in the daemon. It runs in its own async task, so it outlives
the dialog that started it; a job is watched by at most one task at a time.

deps: client (DaemonClient), LrTasks, LrProgressScope, LrDialogs, pollSeconds (default 1),
      offerSwitch (ask to use the model when done), label and sizeBytes (for the title),
      log (optional), onEnd (optional, see watch).
]]
local Downloads = require "Downloads"
local DaemonErrors = require "DaemonErrors"

local DownloadMonitor = {}

DownloadMonitor.POLL_SECONDS = 1
-- Consecutive failed polls before giving up (the daemon may be restarting for a few seconds).
DownloadMonitor.MAX_FAILURES = 5

local watching = {}

function DownloadMonitor.isWatching(id)
  return watching[id] == true
end

local function finish(deps, job, label)
  local message, info, style = Downloads.endMessage(job, label)
  if not message then return end
  if job.status == "completed" and deps.offerSwitch then
    local answer = deps.LrDialogs.confirm(message,
      LOC("$$$/Junmai/Job/UseNowInfo=Use ^1 for evaluating photos from now on?", label),
      LOC "$$$/Junmai/Job/UseNow=Use It Now", LOC "$$$/Junmai/Job/NotNow=Not Now")
    if answer == "ok" then
      local switched, err = deps.client:switchModel(job.model)
      if switched then
        deps.LrDialogs.showBezel(LOC("$$$/Junmai/Job/Switched=Now using ^1.", label))
      else
        deps.LrDialogs.message(LOC("$$$/Junmai/Job/SwitchFailed=Could not switch to ^1.", label), DaemonErrors.describe(err), "critical")
      end
    end
  elseif style == "info" and not info then
    deps.LrDialogs.showBezel(message)
  else
    deps.LrDialogs.message(message, info, style)
  end
end

local function pollLoop(deps, job, scope, label)
  local LrTasks = deps.LrTasks
  local failures = 0
  while true do
    scope:setPortionComplete(Downloads.portion(job), 1)
    scope:setCaption(Downloads.caption(job))
    if Downloads.isFinished(job.status) then
      scope:done()
      finish(deps, job, label)
      return job.status
    end
    LrTasks.sleep(deps.pollSeconds or DownloadMonitor.POLL_SECONDS)
    if scope:isCanceled() then
      local answer, err = deps.client:cancelDownload(job.id)
      scope:done()
      if not answer and err and err.code ~= "JOB_NOT_FOUND" then
        deps.LrDialogs.message(LOC("$$$/Junmai/Job/CancelFailed=Could not cancel the download of ^1.", label),
          DaemonErrors.describe(err), "warning")
      end
      return "cancelled_here"
    end
    local fresh, err = deps.client:download(job.id)
    if fresh and type(fresh.job) == "table" then
      job = fresh.job
      failures = 0
    else
      failures = failures + 1
      if failures >= DownloadMonitor.MAX_FAILURES then
        scope:done()
        local info = LOC "$$$/Junmai/Job/LostInfo=The daemon may still be downloading; File ^U+203A Plug-in Extras ^U+203A AI Model Downloads^U+2026 shows where it stands."
        -- An answer without a job is a failed poll too, but has no error to name.
        if err then info = DaemonErrors.describe(err) .. " " .. info end
        deps.LrDialogs.message(LOC("$$$/Junmai/Job/Lost=Junmai lost track of the download of ^1.", label), info, "warning")
        return "lost"
      end
    end
  end
end

-- Polls until the job ends; returns how it ended: a job status, "cancelled_here" or "lost".
function DownloadMonitor.poll(deps, job)
  local label = deps.label or job.model
  local scope = deps.LrProgressScope({ title = Downloads.title(label, deps.sizeBytes or job.total_bytes) })
  if scope.setCancelable then scope:setCancelable(true) end
  local ok, outcome = deps.LrTasks.pcall(pollLoop, deps, job, scope, label)
  -- A progress bar must never outlive its watcher, whatever happened.
  if not scope:isDone() then scope:done() end
  if not ok then error(outcome, 0) end
  return outcome
end

--[[
Starts watching `job` in a new async task unless it is already watched.
Returns true when a new watcher started. deps.onEnd(outcome) is called when it stops.
]]
function DownloadMonitor.watch(deps, job)
  if watching[job.id] then return false end
  watching[job.id] = true
  deps.LrTasks.startAsyncTask(function()
    local ok, outcome = deps.LrTasks.pcall(DownloadMonitor.poll, deps, job)
    watching[job.id] = nil
    if not ok then
      if deps.log then deps.log:error("download monitor failed: " .. tostring(outcome)) end
      deps.LrDialogs.message(LOC("$$$/Junmai/Job/MonitorFailed=Junmai stopped showing the progress of ^1.", deps.label or job.model),
        LOC "$$$/Junmai/Job/MonitorFailedInfo=The download itself may go on; File ^U+203A Plug-in Extras ^U+203A AI Model Downloads^U+2026 shows where it stands.",
        "warning")
      outcome = "error"
    end
    if deps.onEnd then deps.onEnd(outcome) end
  end, "Junmai download " .. tostring(job.model))
  return true
end

-- For specs: forget watchers left by a previous scenario.
function DownloadMonitor._reset()
  watching = {}
end

return DownloadMonitor
