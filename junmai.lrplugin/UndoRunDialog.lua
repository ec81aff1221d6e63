--[[
Library > Plug-in Extras > Undo AI Run...: the recent runs (GET /api/runs), the one chosen undone
(UndoRun), and what was restored and what was left. Call from an async task (SafeRun.task).
opts (for specs): client, connect.
]]
local LrApplication = import "LrApplication"
local LrBinding = import "LrBinding"
local LrDialogs = import "LrDialogs"
local LrProgressScope = import "LrProgressScope"
local LrTasks = import "LrTasks"
local LrView = import "LrView"

local DaemonErrors = require "DaemonErrors"
local DaemonSession = require "DaemonSession"
local Evaluator = require "Evaluator"
local ReviewDialog = require "ReviewDialog"
local UndoRun = require "UndoRun"
local Log = require "Log"

local UndoRunDialog = {}

UndoRunDialog.RECENT = 20
-- Fields left, named one by one in the report; the rest are counted.
UndoRunDialog.MAX_NAMED = 10

local FIELD_NAMES = { pick = "flag" }

local function fieldLabel(field)
  return ReviewDialog.fieldLabel(FIELD_NAMES[field] or field)
end

-- "2026-11-30 20:15, gemma3:4b, 12 photos: rating, keywords"
function UndoRunDialog.describeRun(run)
  local when = string.gsub(string.sub(tostring(run.created_at or ""), 1, 16), "T", " ")
  local fields = {}
  for _, f in ipairs(run.fields or {}) do fields[#fields + 1] = string.lower(fieldLabel(f)) end
  local model = run.model or LOC "$$$/Junmai/Undo/NoModel=no model"
  return LOC("$$$/Junmai/Undo/Run=^1, ^2, ^3 photos: ^4", when, model, tostring(run.photo_count or 0), table.concat(fields, ", "))
end

local function reasonText(reason)
  if reason == "photo_missing" then return LOC "$$$/Junmai/Undo/Missing=the photo is no longer in the catalog" end
  if reason == "edited_since" then return LOC "$$$/Junmai/Undo/Edited=changed by hand since the run" end
  return LOC "$$$/Junmai/Undo/Other=Lightroom refused; see Junmai.log"
end

-- What the photographer is told: message and info.
function UndoRunDialog.summary(report)
  local lines = {}
  if #report.left > 0 then
    lines[#lines + 1] = LOC("$$$/Junmai/Undo/LeftIntro=Left as they are (^1):", tostring(#report.left))
    for i, l in ipairs(report.left) do
      if i > UndoRunDialog.MAX_NAMED then
        lines[#lines + 1] = LOC("$$$/Junmai/Undo/LeftMore=^U+2026and ^1 more.", tostring(#report.left - UndoRunDialog.MAX_NAMED))
        break
      end
      lines[#lines + 1] = LOC("$$$/Junmai/Undo/LeftLine=^1, ^2: ^3", tostring(l.name), string.lower(fieldLabel(l.field)), reasonText(l.reason))
    end
  end
  if #report.unusedKeywords > 0 then
    local names = {}
    for _, p in ipairs(report.unusedKeywords) do names[#names + 1] = (string.gsub(p, "|", " > ")) end
    lines[#lines + 1] = LOC("$$$/Junmai/Undo/Unused=Keywords this run created that no photo uses now: ^1.", table.concat(names, ", "))
    lines[#lines + 1] = LOC "$$$/Junmai/Undo/Purge=Lightroom does not let a plug-in delete keywords. To remove them, choose Metadata ^U+203A Purge Unused Keywords in the Library."
  end
  -- The daemon takes one undo per run: what was not reached stays as the run left it, for good.
  if report.cancelled then lines[#lines + 1] = LOC "$$$/Junmai/Undo/Cancelled=Cancelled: the photos not reached keep the run's values; a run is undone only once." end
  if report.busy then lines[#lines + 1] = LOC "$$$/Junmai/Undo/Busy=Lightroom's catalog stayed busy (another plug-in or a sync was writing): the photos not reached keep the run's values; a run is undone only once." end
  local message = LOC("$$$/Junmai/Undo/Done=Restored ^1 changes; left ^2.", tostring(report.restored), tostring(#report.left))
  return message, table.concat(lines, "\n")
end

local function failed(err)
  LrDialogs.message(LOC "$$$/Junmai/Undo/FailedTitle=Junmai could not undo the run.", DaemonErrors.describe(err), "critical")
end

-- Returns "offline", "none", "cancelled", "failed" or "done" and the report.
function UndoRunDialog.run(context, opts)
  opts = opts or {}
  local client, err = DaemonSession.connected(opts)
  if not client then
    failed(err)
    return "offline"
  end
  local answer
  answer, err = client:listRuns(UndoRunDialog.RECENT)
  if not answer then
    failed(err)
    return "failed"
  end
  local items = {}
  for _, run in ipairs(answer.runs or {}) do
    -- The daemon undoes a run once: a run partly undone takes no second undo (409 RUN_ALREADY_UNDONE).
    if run.status == "open" and (run.change_count or 0) > 0 then
      items[#items + 1] = { title = UndoRunDialog.describeRun(run), value = run.id }
    end
  end
  if #items == 0 then
    LrDialogs.message(LOC "$$$/Junmai/Undo/NoneTitle=No AI run to undo.",
      LOC "$$$/Junmai/Undo/NoneInfo=Runs that wrote to photos appear here: an export with Junmai AI Evaluation, or suggestions applied from Review AI Suggestions^U+2026", "info")
    return "none"
  end
  local props = LrBinding.makePropertyTable(context)
  props.runId = items[1].value
  local f = LrView.osFactory()
  local choice = LrDialogs.presentModalDialog({
    title = LOC "$$$/Junmai/Undo/Title=Undo AI Run",
    contents = f:column {
      bind_to_object = props,
      spacing = f:control_spacing(),
      f:popup_menu { value = LrView.bind "runId", items = items },
      f:static_text { title = LOC "$$$/Junmai/Undo/Rule=Each field goes back to what it was before the run, unless it was changed since: your own edits stay. Keywords the run added come off its photos.", width_in_chars = 70, height_in_lines = 3 },
    },
    actionVerb = LOC "$$$/Junmai/Undo/Action=Undo Run",
  })
  if choice ~= "ok" then return "cancelled" end

  local scope = LrProgressScope({ title = LOC "$$$/Junmai/Undo/Progress=Undoing AI run", functionContext = context })
  scope:setCancelable(true)
  local report, undoErr, partial = UndoRun.undo({ catalog = LrApplication.activeCatalog(), client = client, progress = scope,
    pcall = LrTasks.pcall, log = Log, nameOf = Evaluator.photoName }, props.runId)
  scope:done()
  if not report and not partial then
    failed(undoErr)
    return "failed"
  end
  if not report then
    -- The photos were put back, but the daemon did not take the outcomes: say both.
    local message, info = UndoRunDialog.summary(partial)
    LrDialogs.message(message, info .. "\n" .. LOC("$$$/Junmai/Undo/NotRecorded=The daemon did not record this undo (^1), so the run is still listed; undoing it again leaves what was restored as it is.", DaemonErrors.describe(undoErr)), "warning")
    return "failed", partial
  end
  local message, info = UndoRunDialog.summary(report)
  LrDialogs.message(message, info, (#report.left > 0 or report.busy or report.cancelled) and "warning" or "info")
  return "done", report
end

return UndoRunDialog
