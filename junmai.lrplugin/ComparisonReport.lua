--[[
How a finished comparison reads: one table row per model (best first, as the daemon ranks them),
the notes under it, the question that offers the best model, and what calibration did.
answer is GET /api/compare/<id>: {run, results, summary, sample_note}; a result is the daemon's
CompareModelResult (daemon/schemas/compare.ts).
]]
local Format = require "Format"

local ComparisonReport = {}

local function none()
  return LOC "$$$/Junmai/Compare/None=^U+2013"
end

local function number(n)
  n = tonumber(n)
  if not n then return nil end
  return string.format("%.2f", n)
end

-- The column titles, in the order of a row's cells.
function ComparisonReport.columns()
  return {
    LOC "$$$/Junmai/Compare/ColRank=Rank",
    LOC "$$$/Junmai/Compare/ColModel=Model",
    LOC "$$$/Junmai/Compare/ColRho=Agrees with your stars (^U+03C1, 90% interval)",
    LOC "$$$/Junmai/Compare/ColKappa=Pick/reject ^U+03BA",
    LOC "$$$/Junmai/Compare/ColKeywords=Keyword recall",
    LOC "$$$/Junmai/Compare/ColSeconds=Seconds per photo",
    LOC "$$$/Junmai/Compare/ColLoads=Loads",
  }
end

-- Widths in characters of the columns, for the dialog.
ComparisonReport.WIDTHS = { 5, 22, 30, 14, 13, 14, 6 }

local function agreement(r)
  local rating = r.rating or {}
  local rho = number(rating.spearman)
  if not rho then return none() end
  local i = rating.interval_90
  if type(i) == "table" and tonumber(i.low) and tonumber(i.high) then
    return LOC("$$$/Junmai/Compare/RhoInterval=^1 (^2 to ^3) on ^4", rho, number(i.low), number(i.high), tostring(rating.photos or 0))
  end
  return LOC("$$$/Junmai/Compare/RhoOnly=^1 on ^2", rho, tostring(rating.photos or 0))
end

-- The cells of one model's row, as text.
function ComparisonReport.row(r)
  local flags, keywords, speed = r.flags or {}, r.keywords or {}, r.speed or {}
  local rank = tonumber(r.rank) and tostring(r.rank) or none()
  local cells = {
    rank,
    tostring(r.model),
    agreement(r),
    number(flags.kappa) or none(),
    Format.rate(keywords.recall) or none(),
    Format.secondsPerPhoto(speed.warm_p50_seconds) or none(),
    tostring(tonumber(speed.loads) or 0),
  }
  if r.status == "skipped" then
    cells[3] = LOC "$$$/Junmai/Compare/Skipped=skipped"
  end
  return cells
end

function ComparisonReport.rows(answer)
  local rows = {}
  for _, r in ipairs(answer.results or {}) do rows[#rows + 1] = ComparisonReport.row(r) end
  return rows
end

-- The sentences under the table: the daemon's summary, its sample note, and why a model had no say.
function ComparisonReport.notes(answer)
  local notes = {}
  if type(answer.summary) == "string" and answer.summary ~= "" then notes[#notes + 1] = answer.summary end
  if type(answer.sample_note) == "string" and answer.sample_note ~= "" then notes[#notes + 1] = answer.sample_note end
  for _, r in ipairs(answer.results or {}) do
    if type(r.error) == "table" and r.error.message then
      notes[#notes + 1] = LOC("$$$/Junmai/Compare/ModelNote=^1: ^2", tostring(r.model), tostring(r.error.message))
    end
  end
  return notes
end

-- The dialog's title line: how many photos and models.
function ComparisonReport.heading(answer)
  local run = answer.run or {}
  return LOC("$$$/Junmai/Compare/Heading=^1 models compared on ^2 of your photos.",
    tostring(#(run.models or {})), tostring(run.photo_count or 0))
end

--[[
What calibration did for `model`, from POST /api/compare/<id>/calibrate's calibrations: whether it
is applied, with the cross-validated figures before and after when it is, the daemon's reason when
it is not. Returns message, info.
]]
function ComparisonReport.calibrationVerdict(calibrations, model)
  local c
  for _, entry in ipairs(calibrations or {}) do
    if entry.model == model then c = entry end
  end
  if not c then
    return LOC("$$$/Junmai/Compare/NoCalibration=No calibration was made for ^1.", model), nil
  end
  if not c.applied then
    -- The daemon's reason names the figures and the gain it asks for.
    return LOC("$$$/Junmai/Compare/CalNotApplied=Calibration does not help ^1, so its ratings stay its own.", model), c.reason
  end
  local before, after = c.before or {}, c.after or {}
  return LOC("$$$/Junmai/Compare/CalApplied=Calibration helps: ^1 now rates in your stars.", model),
    LOC("$$$/Junmai/Compare/CalFigures=On photos it was not fitted on, its stars were ^1 from yours on average before and ^2 after; ^U+03C1 ^3 before, ^4 after (^5 photos).",
      number(before.mae) or none(), number(after.mae) or none(), number(before.spearman) or none(), number(after.spearman) or none(), tostring(c.photos or 0))
end

-- What to say when the run did not complete. Returns message, info, style.
function ComparisonReport.endMessage(watched)
  local run = watched.run or {}
  local err = watched.error or (type(run.error) == "table" and run.error) or nil
  local why = err and err.message or nil
  if watched.outcome == "cancelled_here" or watched.outcome == "cancelled" then
    if not watched.run then
      return LOC "$$$/Junmai/Compare/Cancelled=Comparison cancelled.",
        LOC "$$$/Junmai/Compare/CancelledEarly=It was cancelled while Lightroom rendered the photos; nothing was sent to the daemon.", "info"
    end
    return LOC "$$$/Junmai/Compare/Cancelled=Comparison cancelled.",
      LOC "$$$/Junmai/Compare/CancelledInfo=The photos the models had already looked at are kept in the daemon; nothing in your catalog was changed.", "info"
  end
  if watched.outcome == "lost" then
    return LOC "$$$/Junmai/Compare/Lost=Junmai lost track of the comparison.",
      why or LOC "$$$/Junmai/Compare/LostInfo=The daemon stopped answering.", "warning"
  end
  if watched.outcome == "interrupted" then
    return LOC "$$$/Junmai/Compare/Interrupted=The comparison stopped when the daemon did.",
      why or LOC "$$$/Junmai/Compare/InterruptedInfo=Run the comparison again.", "warning"
  end
  return LOC "$$$/Junmai/Compare/Failed=The comparison failed.",
    why or LOC "$$$/Junmai/Compare/FailedNoReason=The daemon did not say why; its log has the details.", "critical"
end

return ComparisonReport
