--[[
What a photographer is told when a run ends, from EvaluationRun's report. Pure: returns
{kind = "bezel" | "message", message, info, style}; show() puts it on screen.
]]
local DaemonErrors = require "DaemonErrors"

local EvaluationReport = {}

-- Failures named one by one in the dialog; the rest are counted (all are in Junmai.log).
EvaluationReport.MAX_NAMED = 10

local function plural(n, one, many)
  if n == 1 then return one end
  return many
end

local function photos(n)
  return plural(n, LOC("$$$/Junmai/Report/OnePhoto=^1 photo", tostring(n)), LOC("$$$/Junmai/Report/Photos=^1 photos", tostring(n)))
end

-- "Ratings on 12, flags on 3, keywords on 12" — what was written; in suggest-only mode, what was suggested.
function EvaluationReport.writtenText(report)
  if report.suggestOnly then
    return LOC("$$$/Junmai/Report/Suggested=Suggestions kept on ^1, nothing else changed. To see and apply them: Library ^U+203A Plug-in Extras ^U+203A Review AI Suggestions^U+2026", photos(report.suggested))
  end
  local parts = {}
  local w = report.written or {}
  local labels = {
    { "rating", LOC "$$$/Junmai/Report/Ratings=ratings" },
    { "flag", LOC "$$$/Junmai/Report/Flags=pick/reject flags" },
    { "keywords", LOC "$$$/Junmai/Report/Keywords=keywords" },
    { "caption", LOC "$$$/Junmai/Report/Captions=captions" },
    { "title", LOC "$$$/Junmai/Report/Titles=titles" },
  }
  for _, l in ipairs(labels) do
    local n = w[l[1]] or 0
    if n > 0 then parts[#parts + 1] = LOC("$$$/Junmai/Report/WrittenPart=^1 on ^2", l[2], photos(n)) end
  end
  if #parts == 0 then return LOC "$$$/Junmai/Report/NothingChanged=Nothing needed changing." end
  local text = LOC("$$$/Junmai/Report/Written=Written: ^1.", table.concat(parts, ", "))
  if (report.keptPhotos or 0) > 0 then
    text = text .. " " .. LOC("$$$/Junmai/Report/Kept=Values already set were kept on ^1.", photos(report.keptPhotos))
  end
  if (report.unrecorded or 0) > 0 then
    text = text .. " " .. LOC("$$$/Junmai/Report/Unrecorded=^1 changes could not be recorded in the daemon, so Undo AI Run^U+2026 cannot take them back; Junmai.log says why.", tostring(report.unrecorded))
  end
  return text
end

function EvaluationReport.failureLines(report)
  local lines = {}
  local failed = report.failed or {}
  for i, f in ipairs(failed) do
    if i > EvaluationReport.MAX_NAMED then
      lines[#lines + 1] = LOC("$$$/Junmai/Report/More=^U+2026and ^1 more; Junmai.log has them all.", tostring(#failed - EvaluationReport.MAX_NAMED))
      break
    end
    lines[#lines + 1] = LOC("$$$/Junmai/Report/FailureLine=^1: ^2", tostring(f.name), tostring(f.message))
  end
  return lines
end

function EvaluationReport.summary(report)
  local evaluated = report.evaluated or 0
  local failed = #(report.failed or {})
  local info = { EvaluationReport.writtenText(report) }
  if (report.skipped or 0) > 0 then
    info[#info + 1] = LOC("$$$/Junmai/Report/Skipped=Videos are not evaluated: ^1 skipped.", tostring(report.skipped))
  end

  if report.stopped then
    local before = LOC("$$$/Junmai/Report/StoppedCounts=^1 evaluated before it stopped, ^2 not evaluated.", photos(evaluated), photos((report.notEvaluated or 0) + failed))
    local lines = { DaemonErrors.describe(report.stopped), before }
    if evaluated > 0 then lines[#lines + 1] = info[1] end
    for _, l in ipairs(EvaluationReport.failureLines(report)) do lines[#lines + 1] = l end
    return { kind = "message", message = LOC "$$$/Junmai/Report/Stopped=Junmai stopped evaluating photos.", info = table.concat(lines, "\n"), style = "critical" }
  end

  if report.cancelled then
    local counts
    if report.suggestOnly then
      counts = LOC("$$$/Junmai/Report/CancelledSuggested=^1 evaluated, with suggestions kept; ^2 not evaluated.", photos(evaluated), photos(report.notEvaluated or 0))
    else
      counts = LOC("$$$/Junmai/Report/CancelledCounts=^1 evaluated and written; ^2 left as they were.", photos(evaluated), photos(report.notEvaluated or 0))
    end
    local lines = { counts }
    if evaluated > 0 then lines[#lines + 1] = info[1] end
    for _, l in ipairs(EvaluationReport.failureLines(report)) do lines[#lines + 1] = l end
    return { kind = "message", message = LOC "$$$/Junmai/Report/Cancelled=Evaluation cancelled.", info = table.concat(lines, "\n"), style = "info" }
  end

  if failed > 0 then
    local lines = { LOC("$$$/Junmai/Report/FailedCounts=^1 evaluated, ^2 could not be:", photos(evaluated), photos(failed)) }
    for _, l in ipairs(EvaluationReport.failureLines(report)) do lines[#lines + 1] = l end
    if evaluated > 0 then lines[#lines + 1] = info[1] end
    return {
      kind = "message",
      message = LOC("$$$/Junmai/Report/SomeFailed=Junmai could not evaluate ^1.", photos(failed)),
      info = table.concat(lines, "\n"),
      style = "warning",
    }
  end

  return {
    kind = "bezel",
    message = LOC("$$$/Junmai/Report/Done=Junmai evaluated ^1. ^2", photos(evaluated), table.concat(info, " ")),
  }
end

-- The collection where Evaluator puts the photos a run could not evaluate.
function EvaluationReport.collectionName()
  return LOC "$$$/Junmai/Collection/NotEvaluated=Junmai: not evaluated"
end

-- Where the photos not evaluated can be found again, when Junmai put them in its collection.
local function withCollection(summary, report)
  if summary.kind ~= "message" or not report.collected or report.collected == 0 then return summary end
  summary.info = summary.info .. "\n" .. LOC("$$$/Junmai/Report/Collection=The photos not evaluated are in the collection ^U+201C^1^U+201D.",
    EvaluationReport.collectionName())
  return summary
end

function EvaluationReport.show(dialogs, report)
  local s = withCollection(EvaluationReport.summary(report), report)
  if s.kind == "bezel" then
    dialogs.showBezel(s.message, 4)
  else
    dialogs.message(s.message, s.info, s.style)
  end
  return s
end

return EvaluationReport
