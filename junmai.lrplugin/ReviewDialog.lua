--[[
Library > Plug-in Extras > Review AI Suggestions... and Discard AI Suggestions...: the dialogs
around Review (which decides and writes). The review shows the selected photos' suggestions; when
none of them has any, it offers the runs of suggestions in the catalog and shows the one chosen.
Call from an async task (SafeRun.task).
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
local KeywordWriter = require "KeywordWriter"
local Review = require "Review"
local Suggestions = require "Suggestions"
local Vocabulary = require "Vocabulary"
local Log = require "Log"

local ReviewDialog = {}

function ReviewDialog.fieldLabel(field)
  if field == "rating" then return LOC "$$$/Junmai/Review/Rating=Rating" end
  if field == "flag" then return LOC "$$$/Junmai/Review/Flag=Flag" end
  if field == "keywords" then return LOC "$$$/Junmai/Review/Keywords=Keywords" end
  if field == "caption" then return LOC "$$$/Junmai/Review/Caption=Caption" end
  return LOC "$$$/Junmai/Review/Title=Title"
end

local function photos(n)
  if n == 1 then return LOC "$$$/Junmai/Review/OnePhoto=1 photo" end
  return LOC("$$$/Junmai/Review/Photos=^1 photos", tostring(n))
end

function ReviewDialog.contents(f, props, rows, more)
  local bind = LrView.bind
  local labelWidth = LrView.share "junmai_review_label"
  local list = f:column { spacing = f:control_spacing() }
  for i, row in ipairs(rows) do
    local block = f:column {
      spacing = f:label_spacing(),
      f:checkbox { title = row.name, value = bind(Review.photoKey(i)), font = "<system/bold>" },
    }
    for _, field in ipairs(row.fields) do
      block[#block + 1] = f:row {
        f:spacer { width = 16 },
        f:checkbox { title = ReviewDialog.fieldLabel(field.field), value = bind(Review.fieldKey(i, field.field)),
          enabled = bind(Review.photoKey(i)), width = labelWidth },
        f:static_text { title = field.current, width_in_chars = 24, truncation = "middle" },
        f:static_text { title = LOC "$$$/Junmai/Review/Arrow=^U+2192" },
        f:static_text { title = field.suggested, width_in_chars = 32, height_in_lines = field.field == "caption" and 2 or 1 },
      }
    end
    if row.suggestion.reasons then
      block[#block + 1] = f:row {
        f:spacer { width = 16 },
        f:static_text { title = LOC("$$$/Junmai/Review/Why=Why: ^1", row.suggestion.reasons), size = "small", width_in_chars = 70 },
      }
    end
    list[#list + 1] = block
  end
  local out = f:column {
    bind_to_object = props,
    spacing = f:control_spacing(),
    f:static_text { title = LOC "$$$/Junmai/Review/Intro=Checked fields are written to the photos; unchecked ones are dropped. A photo left unchecked keeps its suggestions for later.", width_in_chars = 80, height_in_lines = 2 },
    f:scrolled_view { width = 760, height = 440, horizontal_scroller = false, list },
  }
  if more > 0 then
    out[#out + 1] = f:static_text { title = LOC("$$$/Junmai/Review/More=^1 more with suggestions are not shown; review them next.", photos(more)) }
  end
  return out
end

local function busyText()
  return LOC "$$$/Junmai/Review/Busy=Lightroom's catalog stayed busy (another plug-in or a sync was writing); the photos not reached keep their suggestions. Try again."
end

function ReviewDialog.summary(report)
  local w = report.written
  local lines = { LOC("$$$/Junmai/Review/Counts=Ratings ^1, flags ^2, keywords ^3, captions ^4, titles ^5.",
    tostring(w.rating), tostring(w.pick), tostring(w.keywords), tostring(w.caption), tostring(w.title)) }
  if report.cancelled then lines[#lines + 1] = LOC "$$$/Junmai/Review/Cancelled=Cancelled: the photos not reached keep their suggestions." end
  if report.busy then lines[#lines + 1] = busyText() end
  for _, f in ipairs(report.failed) do
    lines[#lines + 1] = LOC("$$$/Junmai/Review/Failed=^1: Lightroom refused the change; the details are in Junmai.log.", f.name)
  end
  if report.unrecorded > 0 then
    lines[#lines + 1] = LOC("$$$/Junmai/Review/Unrecorded=^1 changes could not be recorded in the daemon, so Undo AI Run^U+2026 cannot take them back; Junmai.log says why.", tostring(report.unrecorded))
  end
  return LOC("$$$/Junmai/Review/Applied=Suggestions applied to ^1.", photos(report.applied)), table.concat(lines, "\n")
end

local function noSuggestions()
  LrDialogs.message(LOC "$$$/Junmai/Review/NoneTitle=No AI suggestions here.",
    LOC "$$$/Junmai/Review/NoneInfo=None of the selected photos has suggestions. Evaluate Selected Photos with AI^U+2026 makes them.", "info")
end

local function accepted(decisions, field)
  for _, d in ipairs(decisions) do
    if d.fields[field] then return true end
  end
  return false
end

-- "2026-11-30 20:42, gemma3:4b, 12 photos"
function ReviewDialog.describeRun(run)
  return LOC("$$$/Junmai/Review/RunItem=^1, ^2, ^3", tostring(run.when or run.run), run.model or LOC "$$$/Junmai/Review/NoModel=no model",
    photos(#run.photos))
end

-- The photos of the suggestion run the photographer picks; nil and "none" or "cancelled" otherwise.
local function chooseRun(context, catalog)
  local runs = Review.suggestionRuns(catalog)
  if #runs == 0 then
    noSuggestions()
    return nil, "none"
  end
  local items = {}
  for i, run in ipairs(runs) do items[i] = { title = ReviewDialog.describeRun(run), value = i } end
  local props = LrBinding.makePropertyTable(context)
  props.run = 1
  local f = LrView.osFactory()
  local answer = LrDialogs.presentModalDialog({
    title = LOC "$$$/Junmai/Review/RunsTitle=Review AI Suggestions of a Run",
    contents = f:column {
      bind_to_object = props,
      spacing = f:control_spacing(),
      f:static_text { title = LOC "$$$/Junmai/Review/RunsIntro=None of the selected photos has suggestions. Review those of a run:", width_in_chars = 60 },
      f:popup_menu { value = LrView.bind "run", items = items },
    },
    actionVerb = LOC "$$$/Junmai/Review/RunsAction=Review",
  })
  if answer ~= "ok" then return nil, "cancelled" end
  return runs[props.run].photos
end

-- Returns "none", "cancelled", "offline" or "done" and the report.
function ReviewDialog.review(context, opts)
  opts = opts or {}
  local catalog = LrApplication.activeCatalog()
  local rows, more = Review.rows(catalog, catalog:getTargetPhotos() or {}, Evaluator.photoName)
  if #rows == 0 then
    local runPhotos, why = chooseRun(context, catalog)
    if not runPhotos then return why end
    rows, more = Review.rows(catalog, runPhotos, Evaluator.photoName)
    if #rows == 0 then
      noSuggestions()
      return "none"
    end
  end
  local props = LrBinding.makePropertyTable(context)
  Review.defaults(props, rows)
  local answer = LrDialogs.presentModalDialog({
    title = LOC("$$$/Junmai/Review/DialogTitle=Review AI Suggestions: ^1", photos(#rows)),
    contents = ReviewDialog.contents(LrView.osFactory(), props, rows, more),
    actionVerb = LOC "$$$/Junmai/Review/Apply=Apply Checked",
  })
  if answer ~= "ok" then return "cancelled" end
  local decisions = Review.decisions(props, rows)

  -- Every change is recorded so it can be undone: without the daemon nothing is written.
  local client, err = DaemonSession.connected(opts)
  if not client then
    LrDialogs.message(LOC "$$$/Junmai/Review/OfflineTitle=Nothing was applied.", DaemonErrors.describe(err) .. "\n" ..
      LOC "$$$/Junmai/Review/OfflineInfo=Junmai records every change in the daemon so that Undo AI Run^U+2026 can take it back; the suggestions are kept.", "warning")
    return "offline"
  end
  local vocabulary
  if accepted(decisions, "keywords") then vocabulary = Vocabulary.read(catalog, KeywordWriter.parentName()) end
  local scope = LrProgressScope({ title = LOC "$$$/Junmai/Review/Progress=Applying AI suggestions", functionContext = context })
  scope:setCancelable(true)
  local report = Review.apply({ catalog = catalog, client = client, progress = scope, pcall = LrTasks.pcall, log = Log,
    vocabulary = vocabulary, nameOf = Evaluator.photoName }, decisions)
  scope:done()
  local message, info = ReviewDialog.summary(report)
  LrDialogs.message(message, info, (report.busy or #report.failed > 0 or report.unrecorded > 0) and "warning" or "info")
  return "done", report
end

-- Returns "none", "cancelled" or "done" and how many photos were cleared.
function ReviewDialog.discard(context)
  local catalog = LrApplication.activeCatalog()
  local selected = catalog:getTargetPhotos() or {}
  local all = Suggestions.readAll(catalog, selected)
  local withSuggestions = {}
  for _, photo in ipairs(selected) do
    if all[photo] then withSuggestions[#withSuggestions + 1] = photo end
  end
  if #withSuggestions == 0 then
    noSuggestions()
    return "none"
  end
  local answer = LrDialogs.confirm(LOC("$$$/Junmai/Discard/Confirm=Discard the AI suggestions of ^1?", photos(#withSuggestions)),
    LOC "$$$/Junmai/Discard/Info=The photos' own rating, flag, keywords, caption and title stay as they are.",
    LOC "$$$/Junmai/Discard/Action=Discard")
  if answer ~= "ok" then return "cancelled" end
  local scope = LrProgressScope({ title = LOC "$$$/Junmai/Discard/Progress=Discarding AI suggestions", functionContext = context })
  scope:setCancelable(true)
  local cleared, why = Review.discard({ catalog = catalog, progress = scope }, withSuggestions)
  scope:done()
  if why == "busy" then
    LrDialogs.message(LOC("$$$/Junmai/Discard/Partly=Suggestions discarded on ^1 only.", photos(cleared)),
      busyText(), "warning")
  else
    LrDialogs.showBezel(LOC("$$$/Junmai/Discard/Done=AI suggestions discarded on ^1.", photos(cleared)), 3)
  end
  return "done", cleared
end

return ReviewDialog
