--[[
How download jobs read: progress captions, list lines and end-of-download messages.
A job is the daemon's JobView {id, model, status, completed_bytes, total_bytes, percent,
bytes_per_second, eta_seconds, error, ...}.
]]
local Format = require "Format"

local Downloads = {}

local ACTIVE = { queued = true, downloading = true, verifying = true }

function Downloads.isActive(status)
  return ACTIVE[status] == true
end

function Downloads.isFinished(status)
  return status ~= nil and not ACTIVE[status]
end

function Downloads.canResume(job)
  return job ~= nil and (job.status == "interrupted" or job.status == "failed" or job.status == "cancelled")
end

function Downloads.statusLabel(status)
  if status == "queued" then return LOC "$$$/Junmai/Job/Queued=waiting to start" end
  if status == "downloading" then return LOC "$$$/Junmai/Job/Downloading=downloading" end
  if status == "verifying" then return LOC "$$$/Junmai/Job/Verifying=verifying" end
  if status == "completed" then return LOC "$$$/Junmai/Job/Completed=completed" end
  if status == "failed" then return LOC "$$$/Junmai/Job/Failed=failed" end
  if status == "cancelled" then return LOC "$$$/Junmai/Job/Cancelled=cancelled" end
  if status == "interrupted" then return LOC "$$$/Junmai/Job/Interrupted=interrupted" end
  return tostring(status)
end

-- 0..1 for LrProgressScope:setPortionComplete.
function Downloads.portion(job)
  local p = tonumber(job.percent)
  if p then return math.max(0, math.min(1, p / 100)) end
  local done, total = tonumber(job.completed_bytes), tonumber(job.total_bytes)
  if done and total and total > 0 then return math.max(0, math.min(1, done / total)) end
  return 0
end

function Downloads.title(label, sizeBytes)
  if tonumber(sizeBytes) then
    return LOC("$$$/Junmai/Job/TitleSized=Downloading ^1 (^2)", label, Format.bytes(sizeBytes))
  end
  return LOC("$$$/Junmai/Job/Title=Downloading ^1", label)
end

-- The caption under the progress bar: "42% · 3.4 GB of 8.1 GB · 35 MB/s · about 2 min left".
function Downloads.caption(job)
  if job.status == "queued" then return LOC "$$$/Junmai/Job/CaptionQueued=Waiting to start^U+2026" end
  if job.status == "verifying" then return LOC "$$$/Junmai/Job/CaptionVerifying=Checking the downloaded files^U+2026" end
  local parts = { Format.percent(Downloads.portion(job) * 100) }
  if tonumber(job.total_bytes) and tonumber(job.total_bytes) > 0 then
    parts[#parts + 1] = LOC("$$$/Junmai/Job/OfTotal=^1 of ^2", Format.bytes(job.completed_bytes or 0), Format.bytes(job.total_bytes))
  end
  local speed = Format.speed(job.bytes_per_second)
  if speed then parts[#parts + 1] = speed end
  local eta = Format.duration(job.eta_seconds)
  if eta and job.status == "downloading" then parts[#parts + 1] = LOC("$$$/Junmai/Job/Eta=about ^1 left", eta) end
  return Format.joined(parts)
end

-- One line in the "AI Model Downloads…" list.
function Downloads.line(job)
  local head = LOC("$$$/Junmai/Job/LineHead=^1 ^U+2014 ^2", job.model, Downloads.statusLabel(job.status))
  if job.status == "downloading" then
    return head .. ": " .. Downloads.caption(job)
  end
  if job.status == "failed" and job.error then
    return head .. ": " .. tostring(job.error)
  end
  if job.status == "completed" and tonumber(job.total_bytes) then
    return head .. " (" .. Format.bytes(job.total_bytes) .. ")"
  end
  if job.status == "interrupted" or job.status == "cancelled" then
    local at = LOC("$$$/Junmai/Job/StoppedAt=stopped at ^1", Format.percent(Downloads.portion(job) * 100))
    return head .. " (" .. at .. ")"
  end
  return head
end

function Downloads.items(jobs)
  local items = {}
  for _, job in ipairs(jobs or {}) do
    items[#items + 1] = { title = Downloads.line(job), value = job.id }
  end
  return items
end

function Downloads.findJob(jobs, id)
  for _, job in ipairs(jobs or {}) do
    if job.id == id then return job end
  end
  return nil
end

-- What to tell the photographer when a watched download ends: message, info, style (or nil).
function Downloads.endMessage(job, label)
  if job.status == "completed" then
    return LOC("$$$/Junmai/Job/Done=^1 is downloaded and ready to use.", label), nil, "info"
  elseif job.status == "failed" then
    return LOC("$$$/Junmai/Job/FailedTitle=The download of ^1 failed.", label),
      job.error or LOC "$$$/Junmai/Job/FailedNoReason=The daemon did not say why; its log has the details.", "critical"
  elseif job.status == "interrupted" then
    return LOC("$$$/Junmai/Job/InterruptedTitle=The download of ^1 stopped.", label),
      LOC "$$$/Junmai/Job/InterruptedInfo=Open File ^U+203A Plug-in Extras ^U+203A AI Model Downloads^U+2026 to resume it.", "warning"
  elseif job.status == "cancelled" then
    return LOC("$$$/Junmai/Job/CancelledTitle=The download of ^1 was cancelled.", label), nil, "info"
  end
  return nil
end

return Downloads
