--[[
Library › Plug-in Extras › Compare AI Models on Selected Photos…: reads the stars, flags and
keywords of the selected photos (Comparison), renders each small into a temporary folder
(EvaluationImages, as Evaluate Selected Photos does), has the daemon run every installed vision
model over them with a cancelable progress bar, then shows the results table and offers to switch
to the best model and apply its calibration (ComparisonReport). The renders stay until the run
ends, since the daemon reads them model after model; then they and their folder are deleted.
Call run() from an async task (SafeRun.task).
]]
local LrApplication = import "LrApplication"
local LrBinding = import "LrBinding"
local LrDialogs = import "LrDialogs"
local LrProgressScope = import "LrProgressScope"
local LrTasks = import "LrTasks"
local LrView = import "LrView"

local Comparison = require "Comparison"
local ComparisonReport = require "ComparisonReport"
local DaemonErrors = require "DaemonErrors"
local DaemonSession = require "DaemonSession"
local EvaluationImages = require "EvaluationImages"
local Evaluator = require "Evaluator"
local Log = require "Log"
local MetadataWriter = require "MetadataWriter"

local CompareModelsDialog = {}

local function photosText(n)
  if n == 1 then return LOC "$$$/Junmai/Compare/OnePhoto=1 photo" end
  return LOC("$$$/Junmai/Compare/Photos=^1 photos", tostring(n))
end

-- Waits for each render in turn. Returns paths (by entry index), the names of photos Lightroom
-- could not render, and whether the progress bar was cancelled meanwhile.
local function render(images, entries, scope)
  local paths, failed = {}, {}
  for i, e in ipairs(entries) do
    if scope:isCanceled() then return paths, failed, true end
    scope:setCaption(LOC("$$$/Junmai/Compare/Rendering=Rendering photo ^1 of ^2^U+2026", tostring(i), tostring(#entries)))
    local path, message = images.pathFor(e.photo)
    if path then
      paths[i] = path
    else
      failed[#failed + 1] = Evaluator.photoName(e.photo)
      Log:warn("not rendered for comparison: " .. tostring(failed[#failed]) .. ": " .. tostring(message))
    end
    scope:setPortionComplete(i, #entries)
  end
  return paths, failed, scope:isCanceled()
end

--[[
Renders, starts the run and follows it. Returns Comparison.watch's {outcome, run, answer, error}
(outcome "refused" when the daemon did not start it, "not_rendered" when no photo rendered),
and the names of the photos left out because they did not render.
]]
function CompareModelsDialog.compare(client, entries, images, scope)
  local paths, failed, cancelled = render(images, entries, scope)
  if cancelled then return { outcome = "cancelled_here" }, failed end
  if next(paths) == nil then return { outcome = "not_rendered" }, failed end
  local started, err = client:startComparison(Comparison.requestBody(entries, paths))
  if not started then return { outcome = "refused", error = err }, failed end
  Log:info("comparison " .. tostring(started.run.id) .. " of " .. tostring(started.run.photo_count) .. " photos")
  return Comparison.watch({ client = client, scope = scope, sleep = LrTasks.sleep }, started.run), failed
end

local function line(f, cells, font)
  local row = { spacing = f:control_spacing() }
  for i, text in ipairs(cells) do
    row[#row + 1] = f:static_text { title = text, width_in_chars = ComparisonReport.WIDTHS[i], font = font }
  end
  return f:row(row)
end

function CompareModelsDialog.contents(f, props, answer, notes, best)
  local column = { bind_to_object = props, spacing = f:control_spacing(), fill_horizontal = 1 }
  column[#column + 1] = f:static_text { title = ComparisonReport.heading(answer), fill_horizontal = 1 }
  column[#column + 1] = line(f, ComparisonReport.columns(), "<system/bold>")
  for _, cells in ipairs(ComparisonReport.rows(answer)) do column[#column + 1] = line(f, cells) end
  column[#column + 1] = f:separator { fill_horizontal = 1 }
  for _, note in ipairs(notes) do
    column[#column + 1] = f:static_text { title = note, width_in_chars = 110, height_in_lines = 2, fill_horizontal = 1 }
  end
  if best then
    column[#column + 1] = f:checkbox {
      title = LOC("$$$/Junmai/Compare/Calibrate=Also fit ^1's stars to yours (calibration; applied only if it helps)", best.model),
      value = LrView.bind "calibrate",
    }
  end
  return f:column(column)
end

--[[
Switches to `best` (unless it is in use already) and, when asked, calibrates from the run; one
message says what happened. Returns "switched" or "switch_failed".
]]
function CompareModelsDialog.useBest(client, runId, best, calibrate)
  local info = {}
  local current = client:currentModel()
  if current and current.current_model == best.model then
    info[#info + 1] = LOC("$$$/Junmai/Compare/AlreadyUsing=^1 is the model in use already.", best.model)
  else
    local switched, err = client:switchModel(best.model)
    if not switched then
      LrDialogs.message(LOC("$$$/Junmai/Compare/SwitchFailed=Could not switch to ^1.", best.model), DaemonErrors.describe(err), "critical")
      return "switch_failed"
    end
    info[#info + 1] = switched.message
    if switched.warning then info[#info + 1] = switched.warning end
  end
  if calibrate then
    local fitted, err = client:calibrate(runId)
    if fitted then
      local verdict, figures = ComparisonReport.calibrationVerdict(fitted.calibrations, best.model)
      info[#info + 1] = verdict
      if figures then info[#info + 1] = figures end
    else
      info[#info + 1] = LOC("$$$/Junmai/Compare/CalibrateFailed=Calibration was not made: ^1", DaemonErrors.describe(err))
    end
  end
  LrDialogs.message(LOC("$$$/Junmai/Compare/Using=Now using ^1.", best.model), table.concat(info, " "), "info")
  return "switched"
end

-- The results and the offer. Returns "switched", "switch_failed" or "closed".
function CompareModelsDialog.showResults(context, client, answer, notRendered)
  local notes = ComparisonReport.notes(answer)
  if #notRendered > 0 then
    notes[#notes + 1] = LOC("$$$/Junmai/Compare/NotRendered=Left out because Lightroom could not render them: ^1.",
      table.concat(notRendered, ", "))
  end
  local best = Comparison.best(answer)
  local props = LrBinding.makePropertyTable(context)
  props.calibrate = true
  local f = LrView.osFactory()
  local result = LrDialogs.presentModalDialog({
    title = LOC "$$$/Junmai/Compare/Title=Compare AI Models",
    contents = CompareModelsDialog.contents(f, props, answer, notes, best),
    actionVerb = best and LOC("$$$/Junmai/Compare/UseBest=Use ^1", best.model) or LOC "$$$/Junmai/Compare/Ok=OK",
    cancelVerb = best and LOC "$$$/Junmai/Compare/Close=Close" or "< exclude >",
  })
  if result ~= "ok" or not best then return "closed" end
  return CompareModelsDialog.useBest(client, answer.run.id, best, props.calibrate == true)
end

--[[
Returns what happened: "none" (nothing to compare), "too_many", "declined" (the question was
answered Cancel), "error" (no daemon), a watched outcome that did not complete ("cancelled_here",
"failed", "refused", …), or showResults' answer.
]]
function CompareModelsDialog.run(context)
  local catalog = LrApplication.activeCatalog()
  local entries = Comparison.readPhotos(catalog, catalog:getTargetPhotos() or {}, MetadataWriter.parentKeywordName())
  if #entries == 0 then
    LrDialogs.message(LOC "$$$/Junmai/Compare/NoneTitle=No photos to compare on.",
      LOC "$$$/Junmai/Compare/NoneInfo=Select photos you have already rated, flagged or keyworded in the Library (videos are left out), then choose Compare AI Models on Selected Photos^U+2026 again.", "info")
    return "none"
  end
  if #entries > Comparison.MAX_PHOTOS then
    LrDialogs.message(LOC("$$$/Junmai/Compare/TooManyTitle=Select at most ^1 photos to compare on.", tostring(Comparison.MAX_PHOTOS)),
      LOC("$$$/Junmai/Compare/TooManyInfo=^1 are selected. A few dozen rated photos are enough to tell models apart.", photosText(#entries)), "info")
    return "too_many"
  end

  local rated = Comparison.ratedCount(entries)
  local info = LOC("$$$/Junmai/Compare/AskInfo=^1 of them have your stars. Every installed AI model that sees photos looks at each one, one model after the other; this can take a while.", tostring(rated))
  if rated < Comparison.MIN_RATED then
    info = info .. " " .. LOC("$$$/Junmai/Compare/FewRated=With fewer than ^1 rated photos the models cannot be told apart well; 30 or more is better.", tostring(Comparison.MIN_RATED))
  end
  local answer = LrDialogs.confirm(LOC("$$$/Junmai/Compare/Ask=Compare AI models on ^1?", photosText(#entries)), info,
    LOC "$$$/Junmai/Compare/Start=Compare", LOC "$$$/Junmai/Compare/Cancel=Cancel")
  if answer ~= "ok" then return "declined" end

  local client, err = DaemonSession.connected()
  if not client then
    LrDialogs.message(LOC "$$$/Junmai/Compare/NoDaemon=Junmai cannot compare models.", DaemonErrors.describe(err), "critical")
    return "error"
  end

  local photos = {}
  for i, e in ipairs(entries) do photos[i] = e.photo end
  local images = EvaluationImages.temporary(Evaluator.imageDeps(), context, photos, Comparison.LONG_EDGE)
  local scope = LrProgressScope({ title = LOC "$$$/Junmai/Compare/Progress=Comparing AI models", functionContext = context })
  scope:setCancelable(true)
  local watched, notRendered = CompareModelsDialog.compare(client, entries, images, scope)
  scope:done()
  images.remove()

  if watched.outcome == "completed" then
    return CompareModelsDialog.showResults(context, client, watched.answer, notRendered)
  end
  if watched.outcome == "refused" then
    LrDialogs.message(LOC "$$$/Junmai/Compare/Refused=The daemon did not start the comparison.", DaemonErrors.describe(watched.error), "critical")
  elseif watched.outcome == "not_rendered" then
    LrDialogs.message(LOC "$$$/Junmai/Compare/NothingRendered=Lightroom could not render any of the selected photos.",
      table.concat(notRendered, ", "), "critical")
  else
    LrDialogs.message(ComparisonReport.endMessage(watched))
  end
  return watched.outcome
end

return CompareModelsDialog
